using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;

namespace Edge.Controllers.Common;

/// <summary>What became of a pod a controller deleted.</summary>
/// <param name="Deleted">False when it was gone already or replaced by a namesake (nothing was deleted).</param>
/// <param name="Marked">The pod as left when it was only marked for graceful deletion.</param>
public sealed record PodDeleteOutcome(bool Deleted, JsonObject? Marked);

/// <summary>The delete half of upstream's <c>PodControl</c>, shared by the workload controllers.</summary>
public static class PodDeletion
{
    /// <summary>
    /// Deletes a pod the controller expects to see go (pinned to its uid). When no delete event
    /// will follow — the pod was only marked for graceful deletion, or was already gone — the
    /// expectation is lowered here, so the controller does not wait for it.
    /// </summary>
    public static async Task<PodDeleteOutcome> DeleteExpectedAsync(
        IClusterClient client, JsonObject pod, Expectations expectations, string key, CancellationToken cancellationToken)
    {
        try
        {
            var left = await client.DeleteAsync(KnownResources.Pods, pod.Namespace(), pod.Name()!, new DeleteRequest { PreconditionUid = pod.Uid() }, cancellationToken);
            if (left is not null)
            {
                expectations.ObservedDelete(key);
            }

            return new PodDeleteOutcome(true, left);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            expectations.ObservedDelete(key);
            return new PodDeleteOutcome(false, null);
        }
    }
}
