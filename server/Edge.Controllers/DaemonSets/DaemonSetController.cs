using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.DaemonSets;

/// <summary>
/// Runs one pod of each DaemonSet on every eligible node (upstream <c>pkg/controller/daemon</c>):
/// creates a pod pinned to a node by a <c>matchFields metadata.name</c> affinity (the scheduler
/// binds it), deletes pods on nodes that are gone or no longer eligible and duplicates on one
/// node, and replaces pods of an old template: RollingUpdate within maxUnavailable, OnDelete
/// only when the user deletes them. Pods carry the template's <c>controller-revision-hash</c>.
/// </summary>
/// <remarks>
/// Not supported: ControllerRevision objects (the hash is computed from the template, so
/// <c>kubectl rollout undo</c> of a DaemonSet has no history to use), maxSurge, adoption of
/// orphans, and back-off for pods that keep failing. Pods of deleted nodes are removed here,
/// as no pod GC runs.
/// </remarks>
public sealed partial class DaemonSetController : Controller
{
    public const string RevisionHashLabel = "controller-revision-hash";

    private static readonly ResourceType DaemonSets = KnownResources.DaemonSets;
    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _sets;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly Expectations _expectations;
    private readonly EventRecorder _events;

    public DaemonSetController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("daemonset-controller", loggers.CreateLogger("daemonset-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _sets = informers.For(DaemonSets);
        _pods = informers.For(Pods);
        _nodes = informers.For(KnownResources.Nodes);
        _expectations = new Expectations(time);
        _events = new EventRecorder(_client, "daemonset-controller", Logger, time);
        _sets.AddHandler(new InformerHandler(
            added: ds => Enqueue(Informer.Key(ds)),
            updated: (_, ds) => Enqueue(Informer.Key(ds)),
            deleted: ds => _expectations.Forget(Informer.Key(ds))));
        _pods.AddHandler(new InformerHandler(
            added: pod =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    _expectations.ObservedAdd(owner);
                    Enqueue(owner);
                }
            },
            updated: (_, pod) =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    Enqueue(owner);
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
        // Only what decides eligibility matters; node status heartbeats do not.
        _nodes.AddHandler(new InformerHandler(
            added: _ => EnqueueAll(),
            updated: (old, node) =>
            {
                if (!JsonNode.DeepEquals(old.Labels(), node.Labels()) || !JsonNode.DeepEquals(old["spec"], node["spec"]))
                {
                    EnqueueAll();
                }
            },
            deleted: _ => EnqueueAll()));
    }

    private void EnqueueAll()
    {
        foreach (var ds in _sets.List())
        {
            Enqueue(Informer.Key(ds));
        }
    }

    private static string? OwnerKey(JsonObject pod) =>
        Owners.ControllerOf(pod) is { } reference && ObjectFields.String(reference, "kind") == "DaemonSet"
            ? Informer.Key(pod.Namespace(), ObjectFields.String(reference, "name") ?? "")
            : null;

    /// <summary>The hash label of the current template (upstream hashes the ControllerRevision's template and collision count).</summary>
    private static string CurrentHash(JsonObject ds) =>
        PodTemplateHash.Compute(ds["spec"]?["template"] as JsonObject ?? [], ObjectFields.Long(ds["status"], "collisionCount"));

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var ds = _sets.Get(key);
        if (ds is null || ds.DeletionTimestamp() is not null)
        {
            return;
        }

        var hash = CurrentHash(ds);
        var podSpec = NodeEligibility.WithDaemonTolerations(ds["spec"]?["template"]?["spec"] as JsonObject);
        var nodes = _nodes.List().ToDictionary(n => n.Name()!, n => NodeEligibility.ShouldRun(n, podSpec), StringComparer.Ordinal);
        var pods = _pods.List(ds.Namespace()).Where(p => Owners.IsControlledBy(p, ds) && p.DeletionTimestamp() is null).ToList();
        var plan = Plan(ds, nodes, pods, hash);
        if (_expectations.Satisfied(key))
        {
            if (plan.Create.Count > 0)
            {
                // The cache may lag the store: only nodes still without a pod there get one.
                var fresh = (await _client.ListAsync(Pods, ds.Namespace(), cancellationToken)).Items
                    .Where(p => Owners.IsControlledBy(p, ds) && p.DeletionTimestamp() is null && PodState.IsActive(p))
                    .Select(NodeEligibility.NodeOf).ToHashSet(StringComparer.Ordinal);
                plan.Create.RemoveAll(fresh.Contains);
            }

            await ApplyAsync(ds, key, plan, podSpec, hash, cancellationToken);
        }

        await UpdateStatusAsync(ds, nodes, pods, hash, cancellationToken);
    }

    private sealed record Changes(List<string> Create, List<JsonObject> Delete);

    /// <summary>Which nodes need a pod and which pods must go (upstream <c>podsShouldBeOnNode</c> and <c>rollingUpdate</c>).</summary>
    private Changes Plan(JsonObject ds, Dictionary<string, bool> nodes, List<JsonObject> pods, string hash)
    {
        var create = new List<string>();
        var delete = new List<JsonObject>();
        var byNode = pods.GroupBy(p => NodeEligibility.NodeOf(p) ?? "").ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (node, onNode) in byNode)
        {
            if (!nodes.TryGetValue(node, out var eligible) || !eligible)
            {
                delete.AddRange(onNode);
            }
        }

        var now = Time.GetUtcNow();
        var minReady = ObjectFields.Long(ds["spec"], "minReadySeconds") ?? 0;
        var unavailable = 0;
        var oldAvailable = new List<JsonObject>();
        foreach (var (node, eligible) in nodes.Where(n => n.Value))
        {
            var onNode = byNode.GetValueOrDefault(node) ?? [];
            // Finished daemon pods are deleted and replaced (a daemon is meant to keep running).
            delete.AddRange(onNode.Where(PodState.IsTerminal));
            var live = onNode.Where(PodState.IsActive).OrderBy(p => ObjectFields.String(p["metadata"], "creationTimestamp"), StringComparer.Ordinal).ToList();
            if (live.Count == 0)
            {
                create.Add(node);
                unavailable++;
                continue;
            }

            delete.AddRange(live.Skip(1));
            var pod = live[0];
            var available = PodState.IsAvailable(pod, minReady, now);
            if (!available)
            {
                unavailable++;
            }

            if (ObjectFields.String(pod.Labels(), RevisionHashLabel) != hash && IsRollingUpdate(ds))
            {
                // An old pod that is not available costs nothing to replace; an available one spends the budget.
                if (!available)
                {
                    delete.Add(pod);
                }
                else
                {
                    oldAvailable.Add(pod);
                }
            }
        }

        var maxUnavailable = MaxUnavailable(ds, nodes.Count(n => n.Value));
        foreach (var pod in oldAvailable)
        {
            if (unavailable >= maxUnavailable)
            {
                break;
            }

            delete.Add(pod);
            unavailable++;
        }

        return new Changes(create, delete);
    }

    private static bool IsRollingUpdate(JsonObject ds) => ObjectFields.String(ds["spec"]?["updateStrategy"], "type") is null or "RollingUpdate";

    private static int MaxUnavailable(JsonObject ds, int desired)
    {
        var value = IntOrPercent.Resolve(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"], desired, roundUp: true, fallback: 1);
        return Math.Max(value, 1); // without surge, a rollout must be able to move
    }

    private async Task ApplyAsync(JsonObject ds, string key, Changes plan, JsonObject podSpec, string hash, CancellationToken cancellationToken)
    {
        if (plan.Create.Count == 0 && plan.Delete.Count == 0)
        {
            return;
        }

        _expectations.Expect(key, plan.Create.Count, plan.Delete.Count);
        ApiException? failure = null;
        var notCreated = 0;
        foreach (var node in plan.Create)
        {
            try
            {
                var pod = await _client.CreateAsync(Pods, ds.Namespace(), NewPod(ds, node, podSpec, hash), cancellationToken);
                _events.Normal(ds, DaemonSets, "SuccessfulCreate", $"Created pod: {pod.Name()}");
            }
            catch (ApiException e) when (e.Status.Code is >= 400 and < 500)
            {
                failure = e;
                notCreated++;
            }
        }

        foreach (var pod in plan.Delete)
        {
            if ((await PodDeletion.DeleteExpectedAsync(_client, pod, _expectations, key, cancellationToken)).Deleted)
            {
                _events.Normal(ds, DaemonSets, "SuccessfulDelete", $"Deleted pod: {pod.Name()}");
            }
        }

        if (failure is not null)
        {
            _expectations.Lower(key, notCreated, 0);
            _events.Warning(ds, DaemonSets, "FailedCreate", $"Error creating: {failure.Message}");
            throw new RetryLaterException($"creating pods failed: {failure.Message}");
        }
    }

    private static JsonObject NewPod(JsonObject ds, string node, JsonObject podSpec, string hash)
    {
        var template = ds["spec"]?["template"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata["generateName"] = ds.Name() + "-";
        metadata["namespace"] = ds.Namespace();
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[RevisionHashLabel] = hash;
        metadata["labels"] = labels;
        metadata["ownerReferences"] = new JsonArray(Owners.ControllerReference(ds, DaemonSets));
        var spec = (JsonObject)podSpec.DeepClone();
        NodeEligibility.PinToNode(spec, node);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }
}
