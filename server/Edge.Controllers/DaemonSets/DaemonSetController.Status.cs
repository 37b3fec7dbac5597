using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;

namespace Edge.Controllers.DaemonSets;

/// <summary>The DaemonSet status that <c>kubectl get ds</c> and <c>rollout status</c> read.</summary>
public sealed partial class DaemonSetController
{
    private static readonly string[] StatusFields =
    [
        "desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled", "numberReady",
        "numberAvailable", "updatedNumberScheduled", "numberUnavailable",
    ];

    /// <summary>Counts per node, from the pods as the cache shows them (the next event counts what was just changed).</summary>
    private async Task UpdateStatusAsync(JsonObject ds, Dictionary<string, bool> nodes, List<JsonObject> pods, string hash, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var minReady = ObjectFields.Long(ds["spec"], "minReadySeconds") ?? 0;
        var live = pods.Where(PodState.IsActive).GroupBy(p => NodeEligibility.NodeOf(p) ?? "")
            .ToDictionary(g => g.Key, g => g.OrderBy(p => ObjectFields.String(p["metadata"], "creationTimestamp"), StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var wanted = nodes.Where(n => n.Value).Select(n => n.Key).ToList();
        var scheduled = wanted.Where(live.ContainsKey).Select(n => live[n]).ToList();
        var desired = wanted.Count;
        var available = scheduled.Count(p => PodState.IsAvailable(p, minReady, now));
        var counts = new[]
        {
            desired,
            scheduled.Count,
            live.Keys.Count(n => !nodes.GetValueOrDefault(n)),
            scheduled.Count(PodState.IsReady),
            available,
            scheduled.Count(p => ObjectFields.String(p.Labels(), RevisionHashLabel) == hash),
            desired - available,
        };
        var status = ds["status"]?.DeepClone() as JsonObject ?? [];
        for (var i = 0; i < StatusFields.Length; i++)
        {
            status[StatusFields[i]] = counts[i];
        }

        status["observedGeneration"] = ObjectFields.Long(ds["metadata"], "generation") ?? 1;
        if (scheduled.Count(PodState.IsReady) > available)
        {
            // Ready pods not yet available are looked at again when they will be.
            Queue.AddAfter(Informer.Key(ds), TimeSpan.FromSeconds(1));
        }

        if (JsonNode.DeepEquals(ds["status"], status))
        {
            return;
        }

        var updated = (JsonObject)ds.DeepClone();
        updated["status"] = status;
        await _client.UpdateAsync(DaemonSets, updated, "status", cancellationToken);
    }
}
