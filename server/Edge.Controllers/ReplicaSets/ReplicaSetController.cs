using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.ReplicaSets;

/// <summary>
/// Keeps each ReplicaSet's number of active pods at spec.replicas: creates pods from the
/// template, deletes the least valuable extras, adopts matching orphans and releases pods that
/// no longer match, and reports replicas / ready / available in status (upstream
/// <c>pkg/controller/replicaset</c>).
/// </summary>
public sealed class ReplicaSetController : Controller
{
    /// <summary>Creates per batch grow 1, 2, 4, … so a template that cannot be created fails fast and cheaply.</summary>
    private const int SlowStartInitialBatch = 1;

    private static readonly ResourceType ReplicaSets = KnownResources.ReplicaSets;
    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _sets;
    private readonly Informer _pods;
    private readonly Expectations _expectations;
    private readonly EventRecorder _events;

    public ReplicaSetController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("replicaset-controller", loggers.CreateLogger("replicaset-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _sets = informers.For(ReplicaSets);
        _pods = informers.For(Pods);
        _expectations = new Expectations(time);
        _events = new EventRecorder(_client, "replicaset-controller", Logger, time);
        _sets.AddHandler(new InformerHandler(
            added: rs => Enqueue(Informer.Key(rs)),
            updated: (_, rs) => Enqueue(Informer.Key(rs)),
            deleted: rs =>
            {
                _expectations.Forget(Informer.Key(rs));
                Enqueue(Informer.Key(rs));
            }));
        _pods.AddHandler(new InformerHandler(PodAdded, PodUpdated, PodDeleted));
    }

    private void PodAdded(JsonObject pod)
    {
        if (OwnerKey(pod) is { } owner)
        {
            _expectations.ObservedAdd(owner);
            Enqueue(owner);
        }
        else
        {
            EnqueueMatching(pod);
        }
    }

    private void PodUpdated(JsonObject old, JsonObject pod)
    {
        var oldOwner = OwnerKey(old);
        var owner = OwnerKey(pod);
        if (oldOwner is not null && oldOwner != owner)
        {
            Enqueue(oldOwner);
        }

        if (owner is not null)
        {
            Enqueue(owner);
            // Readiness that must last minReadySeconds is looked at again when it has.
            if (_sets.Get(owner) is { } rs && MinReadySeconds(rs) is > 0 and var min && !PodState.IsReady(old) && PodState.IsReady(pod))
            {
                Queue.AddAfter(owner, TimeSpan.FromSeconds(min + 1));
            }
        }
        else
        {
            EnqueueMatching(pod);
        }
    }

    private void PodDeleted(JsonObject pod)
    {
        if (OwnerKey(pod) is { } owner)
        {
            _expectations.ObservedDelete(owner);
            Enqueue(owner);
        }
    }

    private static string? OwnerKey(JsonObject pod) =>
        Owners.ControllerOf(pod) is { } reference && ObjectFields.String(reference, "kind") == "ReplicaSet"
            ? Informer.Key(pod.Namespace(), ObjectFields.String(reference, "name") ?? "")
            : null;

    /// <summary>An orphan may be adopted by any ReplicaSet of its namespace whose selector matches it.</summary>
    private void EnqueueMatching(JsonObject pod)
    {
        foreach (var rs in _sets.List(pod.Namespace()))
        {
            if (LabelSelector.FromObject(rs["spec"]?["selector"] as JsonObject).Matches(pod.Labels()))
            {
                Enqueue(Informer.Key(rs));
            }
        }
    }

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var rs = _sets.Get(key);
        if (rs is null)
        {
            return;
        }

        var selector = LabelSelector.FromObject(rs["spec"]?["selector"] as JsonObject);
        var pods = await ClaimPodsAsync(rs, selector, _pods.List(rs.Namespace()), cancellationToken);
        var active = pods.Where(PodState.IsActive).ToList();
        if (active.Count < (ObjectFields.Long(rs["spec"], "replicas") ?? 1) && _expectations.Satisfied(key))
        {
            // Before creating, look at the store itself: the pod cache may not yet hold a pod
            // that was made just before this set (an orphan to adopt rather than duplicate).
            var current = await _client.ListAsync(Pods, rs.Namespace(), cancellationToken);
            pods = await ClaimPodsAsync(rs, selector, current.Items, cancellationToken);
            active = pods.Where(PodState.IsActive).ToList();
        }

        JsonObject? failure = null;
        if (_expectations.Satisfied(key) && rs.DeletionTimestamp() is null)
        {
            failure = await ManageReplicasAsync(rs, key, active, cancellationToken);
        }

        await UpdateStatusAsync(rs, active, failure, cancellationToken);
        if (failure is not null)
        {
            throw new RetryLaterException($"creating pods failed: {ObjectFields.String(failure, "message")}");
        }
    }

    /// <summary>The pods this set controls: its own, plus orphans it adopts; owned pods that stopped matching are released.</summary>
    private async Task<List<JsonObject>> ClaimPodsAsync(
        JsonObject rs, LabelSelector selector, IEnumerable<JsonObject> candidates, CancellationToken cancellationToken)
    {
        var owned = new List<JsonObject>();
        foreach (var pod in candidates)
        {
            var matches = selector.Matches(pod.Labels());
            if (Owners.IsControlledBy(pod, rs))
            {
                if (matches)
                {
                    owned.Add(pod);
                }
                else
                {
                    await _client.MergePatchAsync(Pods, pod.Namespace(), pod.Name()!, Owners.ReleasePatch(pod, rs.Uid()!), null, cancellationToken);
                }
            }
            else if (matches && Owners.ControllerOf(pod) is null && pod.DeletionTimestamp() is null && rs.DeletionTimestamp() is null)
            {
                try
                {
                    owned.Add(await _client.MergePatchAsync(Pods, pod.Namespace(), pod.Name()!, Owners.AdoptPatch(pod, rs, ReplicaSets), null, cancellationToken));
                }
                catch (ApiException e) when (e.Status.Code is 404 or 409)
                {
                    // Gone or changed since the cache saw it: the next pass decides again.
                }
            }
        }

        return owned;
    }

    /// <summary>Creates or deletes the difference; returns a ReplicaFailure condition when creating failed.</summary>
    private async Task<JsonObject?> ManageReplicasAsync(JsonObject rs, string key, List<JsonObject> active, CancellationToken cancellationToken)
    {
        var wanted = (int)(ObjectFields.Long(rs["spec"], "replicas") ?? 1);
        var diff = active.Count - wanted;
        if (diff < 0)
        {
            var missing = -diff;
            _expectations.Expect(key, missing, 0);
            var created = 0;
            var batch = SlowStartInitialBatch;
            while (created < missing)
            {
                var size = Math.Min(batch, missing - created);
                var results = await Task.WhenAll(Enumerable.Range(0, size).Select(_ => CreatePodAsync(rs, cancellationToken)));
                var failed = results.FirstOrDefault(r => r is not null);
                var succeeded = results.Count(r => r is null);
                created += succeeded;
                if (failed is not null)
                {
                    // The creates not attempted (and those refused) will never be observed.
                    _expectations.Lower(key, missing - created, 0);
                    _events.Warning(rs, ReplicaSets, "FailedCreate", $"Error creating: {failed.Message}");
                    return Conditions.Create("ReplicaFailure", "True", "FailedCreate", failed.Message, Time);
                }

                batch *= 2;
            }

            _events.Normal(rs, ReplicaSets, "SuccessfulCreate", $"Created {created} pod{(created == 1 ? "" : "s")}");
        }
        else if (diff > 0)
        {
            active.Sort(PodState.CompareForDeletion);
            var victims = active.Take(diff).ToList();
            _expectations.Expect(key, 0, victims.Count);
            foreach (var pod in victims)
            {
                await PodDeletion.DeleteExpectedAsync(_client, pod, _expectations, key, cancellationToken);
            }

            _events.Normal(rs, ReplicaSets, "SuccessfulDelete", $"Deleted {victims.Count} pod{(victims.Count == 1 ? "" : "s")}: {string.Join(", ", victims.Select(v => v.Name()))}");
        }

        return null;
    }

    /// <returns>Null on success, else the failure.</returns>
    private async Task<ApiException?> CreatePodAsync(JsonObject rs, CancellationToken cancellationToken)
    {
        var template = rs["spec"]?["template"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata["generateName"] = rs.Name() + "-";
        metadata["namespace"] = rs.Namespace();
        metadata["ownerReferences"] = new JsonArray(Owners.ControllerReference(rs, ReplicaSets));
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone(),
        };
        try
        {
            await _client.CreateAsync(Pods, rs.Namespace(), pod, cancellationToken);
            return null;
        }
        catch (ApiException e) when (e.Status.Code is >= 400 and < 500)
        {
            return e;
        }
    }

    private async Task UpdateStatusAsync(JsonObject rs, List<JsonObject> active, JsonObject? failure, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var minReady = MinReadySeconds(rs);
        var templateLabels = LabelSelector.FromObject(new JsonObject { ["matchLabels"] = rs["spec"]?["template"]?["metadata"]?["labels"]?.DeepClone() ?? new JsonObject() });
        var status = new JsonObject
        {
            ["replicas"] = active.Count,
            ["fullyLabeledReplicas"] = active.Count(p => templateLabels.Matches(p.Labels())),
            ["readyReplicas"] = active.Count(PodState.IsReady),
            ["availableReplicas"] = active.Count(p => PodState.IsAvailable(p, minReady, now)),
            ["observedGeneration"] = ObjectFields.Long(rs["metadata"], "generation") ?? 1,
        };
        var conditions = (rs["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(c => ObjectFields.String(c, "type") != "ReplicaFailure").Select(c => (JsonNode)c.DeepClone()).ToList();
        if (failure is not null)
        {
            // The same failure again keeps its first transition time, so a retry is not a change.
            var previous = PodState.Condition(rs, "ReplicaFailure");
            conditions.Add(previous is not null && ObjectFields.String(previous, "message") == ObjectFields.String(failure, "message")
                ? previous.DeepClone() : failure);
        }

        if (conditions.Count > 0)
        {
            status["conditions"] = new JsonArray([.. conditions]);
        }

        // Ready pods not yet available are looked at again when they will be.
        if (status["readyReplicas"]!.GetValue<int>() > status["availableReplicas"]!.GetValue<int>())
        {
            Queue.AddAfter(Informer.Key(rs), TimeSpan.FromSeconds(1));
        }

        if (JsonNode.DeepEquals(Normalize(rs["status"] as JsonObject), status))
        {
            return;
        }

        var updated = (JsonObject)rs.DeepClone();
        updated["status"] = status;
        await _client.UpdateAsync(ReplicaSets, updated, "status", cancellationToken);
    }

    /// <summary>The stored status with upstream's omitted zero counts filled in, to compare like with like.</summary>
    private static JsonObject Normalize(JsonObject? status)
    {
        var normalized = new JsonObject();
        foreach (var field in new[] { "replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration" })
        {
            normalized[field] = ObjectFields.Long(status, field) is { } v ? (int)v : (field == "observedGeneration" ? null : 0);
        }

        if (status?["conditions"] is JsonArray { Count: > 0 } conditions)
        {
            normalized["conditions"] = conditions.DeepClone();
        }

        return normalized;
    }

    private static long MinReadySeconds(JsonObject rs) => ObjectFields.Long(rs["spec"], "minReadySeconds") ?? 0;
}
