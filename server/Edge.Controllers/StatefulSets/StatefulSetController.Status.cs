using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;

namespace Edge.Controllers.StatefulSets;

/// <summary>The StatefulSet status that <c>kubectl get sts</c> and <c>kubectl rollout status</c> read.</summary>
public sealed partial class StatefulSetController
{
    /// <summary>
    /// Counts over the pods as this pass left them (upstream <c>computeReplicaStatus</c>). Once
    /// every pod is ready at the update revision, that revision becomes the current one (upstream
    /// does this for RollingUpdate only; here OnDelete completes the same way).
    /// </summary>
    private async Task UpdateStatusAsync(JsonObject set, RevisionPair revisions, SortedDictionary<int, JsonObject> pods, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var minReady = ObjectFields.Long(set["spec"], "minReadySeconds") ?? 0;
        var all = pods.Values.ToList();
        var ready = all.Count(p => PodState.Phase(p) == "Running" && PodState.IsReady(p));
        var available = all.Count(p => PodState.Phase(p) == "Running" && PodState.IsAvailable(p, minReady, now));
        var live = all.Where(p => p.DeletionTimestamp() is null).ToList();
        var current = live.Count(p => StatefulPods.Revision(p) == revisions.CurrentName);
        var updated = live.Count(p => StatefulPods.Revision(p) == revisions.UpdateName);
        var currentName = revisions.CurrentName;
        if (updated == all.Count && ready == all.Count && all.Count == Replicas(set))
        {
            current = updated;
            currentName = revisions.UpdateName;
        }

        var status = set["status"]?.DeepClone() as JsonObject ?? [];
        status["observedGeneration"] = ObjectFields.Long(set["metadata"], "generation") ?? 1;
        status["replicas"] = all.Count;
        status["readyReplicas"] = ready;
        status["currentReplicas"] = current;
        status["updatedReplicas"] = updated;
        status["availableReplicas"] = available;
        status["currentRevision"] = currentName;
        status["updateRevision"] = revisions.UpdateName;
        status["collisionCount"] = revisions.CollisionCount;
        if (ready > available)
        {
            // Ready pods not yet available are looked at again when they will be.
            Queue.AddAfter(Informer.Key(set), TimeSpan.FromSeconds(1));
        }

        if (JsonNode.DeepEquals(set["status"], status))
        {
            return;
        }

        var changed = (JsonObject)set.DeepClone();
        changed["status"] = status;
        await _client.UpdateAsync(StatefulSets, changed, "status", cancellationToken);
    }
}
