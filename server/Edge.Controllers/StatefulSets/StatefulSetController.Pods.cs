using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Controllers.Common;

namespace Edge.Controllers.StatefulSets;

/// <summary>What to create and delete in one pass (upstream <c>updateStatefulSet</c>), and doing it.</summary>
public sealed partial class StatefulSetController
{
    private sealed record Changes(List<int> Create, List<JsonObject> Delete);

    private static bool IsParallel(JsonObject set) => ObjectFields.String(set["spec"], "podManagementPolicy") == "Parallel";

    private static bool IsRollingUpdate(JsonObject set) => ObjectFields.String(set["spec"]?["updateStrategy"], "type") is null or "RollingUpdate";

    private static int Partition(JsonObject set) =>
        IsRollingUpdate(set) ? (int)Math.Max(ObjectFields.Long(set["spec"]?["updateStrategy"]?["rollingUpdate"], "partition") ?? 0, 0) : 0;

    private static int Replicas(JsonObject set) => (int)(ObjectFields.Long(set["spec"], "replicas") ?? 1);

    /// <summary>spec.ordinals.start: the first ordinal (0 unless set).</summary>
    private static int Start(JsonObject set) => (int)(ObjectFields.Long(set["spec"]?["ordinals"], "start") ?? 0);

    /// <summary>
    /// One pass over the ordinals, lowest first: a finished pod is deleted (and recreated once
    /// gone), a missing one created; OrderedReady stops at the first change and at the first pod
    /// that is terminating or not yet available. Then the pods past the replicas go, highest
    /// first; then RollingUpdate replaces one pod of an old revision, highest first, down to the
    /// partition, once every pod above it is healthy at the update revision.
    /// </summary>
    private Changes Plan(JsonObject set, RevisionPair revisions, SortedDictionary<int, JsonObject> pods)
    {
        var changes = new Changes([], []);
        var ordered = !IsParallel(set);
        var start = Start(set);
        var replicas = Replicas(set);
        var minReady = ObjectFields.Long(set["spec"], "minReadySeconds") ?? 0;
        var now = Time.GetUtcNow();
        for (var ordinal = start; ordinal < start + replicas; ordinal++)
        {
            var pod = pods.GetValueOrDefault(ordinal);
            if (pod is null)
            {
                changes.Create.Add(ordinal);
            }
            else if (pod.DeletionTimestamp() is not null)
            {
                // Its ordinal is taken until it is gone.
            }
            else if (PodState.IsTerminal(pod))
            {
                changes.Delete.Add(pod);
            }
            else if (StatefulPods.IsAvailable(pod, minReady, now))
            {
                continue;
            }

            if (ordered)
            {
                return changes;
            }
        }

        foreach (var (ordinal, pod) in pods.Reverse().Where(p => p.Key < start || p.Key >= start + replicas))
        {
            if (pod.DeletionTimestamp() is null)
            {
                changes.Delete.Add(pod);
            }

            if (ordered)
            {
                return changes;
            }
        }

        if (!IsRollingUpdate(set))
        {
            // OnDelete: pods move to the update revision only when the user deletes them.
            return changes;
        }

        for (var index = replicas - 1; index >= Partition(set); index--)
        {
            var pod = pods.GetValueOrDefault(start + index);
            if (pod is null || changes.Delete.Contains(pod))
            {
                return changes;
            }

            if (StatefulPods.Revision(pod) != revisions.UpdateName && pod.DeletionTimestamp() is null)
            {
                changes.Delete.Add(pod);
                return changes;
            }

            if (!StatefulPods.IsHealthy(pod))
            {
                return changes;
            }
        }

        return changes;
    }

    /// <summary>Below the partition pods are made at the current revision, elsewhere at the update revision.</summary>
    private static JsonObject RevisionFor(JsonObject set, RevisionPair revisions, int ordinal) =>
        IsRollingUpdate(set) && ordinal - Start(set) < Partition(set) ? revisions.Current : revisions.Update;

    /// <summary>Applies the changes to the store and to <paramref name="pods"/>; returns a create failure, if any.</summary>
    private async Task<ApiException?> ApplyAsync(
        JsonObject set, string key, Changes changes, RevisionPair revisions, SortedDictionary<int, JsonObject> pods, CancellationToken cancellationToken)
    {
        if (changes.Create.Count == 0 && changes.Delete.Count == 0)
        {
            return null;
        }

        _expectations.Expect(key, changes.Create.Count, changes.Delete.Count);
        ApiException? failure = null;
        foreach (var ordinal in changes.Create)
        {
            var revision = RevisionFor(set, revisions, ordinal);
            var pod = StatefulPods.New(set, TemplateOf(revision), ordinal, revision.Name()!);
            try
            {
                pods[ordinal] = await _client.CreateAsync(Pods, set.Namespace(), pod, cancellationToken);
                _events.Normal(set, StatefulSets, "SuccessfulCreate", $"create Pod {pod.Name()} in StatefulSet {set.Name()} successful");
            }
            catch (ApiException e) when (e.Status.Code is >= 400 and < 500)
            {
                // Not created, so never observed (a namesake that exists was observed already).
                _expectations.Lower(key, 1, 0);
                if (e.Status.Code != 409)
                {
                    failure = e;
                    _events.Warning(set, StatefulSets, "FailedCreate", $"create Pod {pod.Name()} in StatefulSet {set.Name()} failed error: {e.Message}");
                }
            }
        }

        foreach (var pod in changes.Delete)
        {
            var ordinal = StatefulPods.Ordinal(set.Name()!, pod.Name())!.Value;
            var outcome = await PodDeletion.DeleteExpectedAsync(_client, pod, _expectations, key, cancellationToken);
            if (outcome.Deleted)
            {
                if (outcome.Marked is { } left)
                {
                    pods[ordinal] = left;
                }
                else
                {
                    pods.Remove(ordinal);
                }

                _events.Normal(set, StatefulSets, "SuccessfulDelete", $"delete Pod {pod.Name()} in StatefulSet {set.Name()} successful");
            }
        }

        return failure;
    }
}
