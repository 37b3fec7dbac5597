using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.StatefulSets;

/// <summary>
/// Runs each StatefulSet's pods under stable identities <c>&lt;set&gt;-&lt;ordinal&gt;</c>
/// (upstream <c>pkg/controller/statefulset</c>): OrderedReady creates ordinals one by one, each
/// once the lower ones are Running and Ready, and removes from the highest down; Parallel creates
/// and removes all at once. Every template version is kept as a ControllerRevision; RollingUpdate
/// replaces pods from the highest ordinal down to the partition, one healthy pod at a time;
/// OnDelete only recreates pods the user deletes, at the update revision. Failed pods are replaced.
/// </summary>
/// <remarks>
/// Not supported: volumeClaimTemplates and persistentVolumeClaimRetentionPolicy (Edge has no
/// PersistentVolumeClaim resource yet), rollingUpdate.maxUnavailable (updates go one pod at a
/// time, as without the upstream feature gate), and fixing up a pod's identity labels in place.
/// </remarks>
public sealed partial class StatefulSetController : Controller
{
    private static readonly ResourceType StatefulSets = KnownResources.StatefulSets;
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType ControllerRevisions = KnownResources.ControllerRevisions;

    private readonly IClusterClient _client;
    private readonly Informer _sets;
    private readonly Informer _pods;
    private readonly Informer _revisions;
    private readonly Expectations _expectations;
    private readonly EventRecorder _events;

    public StatefulSetController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("statefulset-controller", loggers.CreateLogger("statefulset-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _sets = informers.For(StatefulSets);
        _pods = informers.For(Pods);
        _revisions = informers.For(ControllerRevisions);
        _expectations = new Expectations(time);
        _events = new EventRecorder(_client, "statefulset-controller", Logger, time);
        _sets.AddHandler(new InformerHandler(
            added: set => Enqueue(Informer.Key(set)),
            updated: (_, set) => Enqueue(Informer.Key(set)),
            deleted: set => _expectations.Forget(Informer.Key(set))));
        _pods.AddHandler(new InformerHandler(
            added: pod =>
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
            },
            updated: (_, pod) =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    Enqueue(owner);
                }
                else
                {
                    EnqueueMatching(pod);
                }
            },
            deleted: pod =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    _expectations.ObservedDelete(owner);
                    Enqueue(owner);
                }
            }));
    }

    private static string? OwnerKey(JsonObject pod) =>
        Owners.ControllerOf(pod) is { } reference && ObjectFields.String(reference, "kind") == "StatefulSet"
            ? Informer.Key(pod.Namespace(), ObjectFields.String(reference, "name") ?? "")
            : null;

    /// <summary>An orphan named like one of a set's pods may be adopted by that set.</summary>
    private void EnqueueMatching(JsonObject pod)
    {
        foreach (var set in _sets.List(pod.Namespace()))
        {
            if (StatefulPods.Ordinal(set.Name()!, pod.Name()) is not null && Selector(set).Matches(pod.Labels()))
            {
                Enqueue(Informer.Key(set));
            }
        }
    }

    private static LabelSelector Selector(JsonObject set) => LabelSelector.FromObject(set["spec"]?["selector"] as JsonObject);

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var set = _sets.Get(key);
        if (set is null || set.DeletionTimestamp() is not null)
        {
            // Being deleted: the garbage collector removes the pods and revisions.
            return;
        }

        var revisions = await SyncRevisionsAsync(set, cancellationToken);
        var pods = await ClaimPodsAsync(set, cancellationToken);
        ApiException? failure = null;
        if (_expectations.Satisfied(key))
        {
            failure = await ApplyAsync(set, key, Plan(set, revisions, pods), revisions, pods, cancellationToken);
        }

        await UpdateStatusAsync(set, revisions, pods, cancellationToken);
        await TruncateHistoryAsync(set, revisions, pods, cancellationToken);
        if (failure is not null)
        {
            throw new RetryLaterException($"creating pods failed: {failure.Message}");
        }
    }

    /// <summary>The set's pods by ordinal: its own, plus orphans of its names that match its selector, which it adopts.</summary>
    private async Task<SortedDictionary<int, JsonObject>> ClaimPodsAsync(JsonObject set, CancellationToken cancellationToken)
    {
        var selector = Selector(set);
        var pods = new SortedDictionary<int, JsonObject>();
        foreach (var pod in _pods.List(set.Namespace()))
        {
            if (StatefulPods.Ordinal(set.Name()!, pod.Name()) is not { } ordinal)
            {
                continue;
            }

            if (Owners.IsControlledBy(pod, set))
            {
                pods[ordinal] = pod;
            }
            else if (Owners.ControllerOf(pod) is null && pod.DeletionTimestamp() is null && selector.Matches(pod.Labels()))
            {
                try
                {
                    pods[ordinal] = await _client.MergePatchAsync(Pods, pod.Namespace(), pod.Name()!, Owners.AdoptPatch(pod, set, StatefulSets), null, cancellationToken);
                }
                catch (ApiException e) when (e.Status.Code is 404 or 409)
                {
                    // Gone or changed since the cache saw it: the next pass decides again.
                }
            }
        }

        return pods;
    }
}
