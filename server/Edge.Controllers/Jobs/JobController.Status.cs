using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Controllers.Common;

namespace Edge.Controllers.Jobs;

/// <summary>Job conditions, suspension and the time to live of a finished Job.</summary>
public sealed partial class JobController
{
    private static JsonObject? JobCondition(JsonObject job, string type) => PodState.Condition(job, type);

    /// <summary>The true Complete or Failed condition of a finished Job.</summary>
    private static JsonObject? FinishedCondition(JsonObject job) =>
        new[] { "Complete", "Failed" }.Select(t => JobCondition(job, t))
            .FirstOrDefault(c => c is not null && ObjectFields.String(c, "status") == "True");

    /// <summary>Sets a batch/v1 JobCondition; its transition time moves only when its status does.</summary>
    private static void SetCondition(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var list = status["conditions"] as JsonArray;
        if (list is null)
        {
            list = [];
            status["conditions"] = list;
        }

        var old = list.OfType<JsonObject>().FirstOrDefault(c => ObjectFields.String(c, "type") == type);
        if (old is not null && ObjectFields.String(old, "status") == value &&
            ObjectFields.String(old, "reason") == reason && ObjectFields.String(old, "message") == message)
        {
            return;
        }

        var stamp = ObjectFields.Timestamp(now);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = value,
            ["lastProbeTime"] = stamp,
            ["lastTransitionTime"] = old is not null && ObjectFields.String(old, "status") == value ? old["lastTransitionTime"]?.DeepClone() : stamp,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (old is not null)
        {
            list[list.IndexOf(old)] = condition;
        }
        else
        {
            list.Add((JsonNode)condition);
        }
    }

    private void SetSuspension(JsonObject job, JsonObject status, bool suspended, bool wasSuspended, DateTimeOffset now)
    {
        if (suspended && !wasSuspended)
        {
            SetCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
            _events.Normal(job, Jobs, "Suspended", "Job suspended");
        }
        else if (!suspended && wasSuspended)
        {
            SetCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
            _events.Normal(job, Jobs, "Resumed", "Job resumed");
        }
    }

    /// <summary>Deletes a finished Job (and, in the background, its pods) ttlSecondsAfterFinished after it finished.</summary>
    private async Task DeleteIfExpiredAsync(JsonObject job, string key, CancellationToken cancellationToken)
    {
        if (ObjectFields.Long(job["spec"], "ttlSecondsAfterFinished") is not { } ttl)
        {
            return;
        }

        var finished = ObjectFields.ParseTimestamp(ObjectFields.String(job["status"], "completionTime"))
            ?? ObjectFields.ParseTimestamp(ObjectFields.String(FinishedCondition(job), "lastTransitionTime"))
            ?? Time.GetUtcNow();
        var wait = finished.AddSeconds(ttl) - Time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            Queue.AddAfter(key, wait);
            return;
        }

        try
        {
            await _client.DeleteAsync(Jobs, job.Namespace(), job.Name()!,
                new DeleteRequest { PropagationPolicy = "Background", PreconditionUid = job.Uid() }, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            // Gone already, or a new Job of the same name: not ours to delete.
        }
    }
}
