using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Deployments;

/// <summary>
/// Rolls Deployments out through ReplicaSets (upstream <c>pkg/controller/deployment</c>): one
/// ReplicaSet per template, told apart by the pod-template-hash label and numbered by the
/// <c>deployment.kubernetes.io/revision</c> annotation that <c>kubectl rollout history/undo</c>
/// read. RollingUpdate moves replicas from old to new within maxSurge and maxUnavailable;
/// Recreate stops every old pod first. Status carries the counts and the Available and
/// Progressing conditions that <c>kubectl rollout status</c> waits for.
/// </summary>
public sealed partial class DeploymentController : Controller
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    private static readonly ResourceType Deployments = KnownResources.Deployments;
    private static readonly ResourceType ReplicaSets = KnownResources.ReplicaSets;

    private readonly IClusterClient _client;
    private readonly Informer _deployments;
    private readonly Informer _sets;
    private readonly Informer _pods;
    private readonly EventRecorder _events;

    public DeploymentController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("deployment-controller", loggers.CreateLogger("deployment-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _deployments = informers.For(Deployments);
        _sets = informers.For(ReplicaSets);
        _pods = informers.For(KnownResources.Pods);
        _events = new EventRecorder(_client, "deployment-controller", Logger, time);
        _deployments.AddHandler(new InformerHandler(
            added: d => Enqueue(Informer.Key(d)),
            updated: (_, d) => Enqueue(Informer.Key(d)),
            deleted: d => Enqueue(Informer.Key(d))));
        _sets.AddHandler(new InformerHandler(
            added: ReplicaSetChanged,
            updated: (old, rs) =>
            {
                if (OwnerKey(old) is { } previous && previous != OwnerKey(rs))
                {
                    Enqueue(previous);
                }

                ReplicaSetChanged(rs);
            },
            deleted: rs =>
            {
                if (OwnerKey(rs) is { } owner)
                {
                    Enqueue(owner);
                }
            }));
        // Recreate waits for the old pods to be gone.
        _pods.AddHandler(new InformerHandler(deleted: pod =>
        {
            if (Owners.ControllerOf(pod) is { } reference && ObjectFields.String(reference, "kind") == "ReplicaSet" &&
                _sets.Get(pod.Namespace(), ObjectFields.String(reference, "name") ?? "") is { } rs && OwnerKey(rs) is { } owner)
            {
                Enqueue(owner);
            }
        }));
    }

    private void ReplicaSetChanged(JsonObject rs)
    {
        if (OwnerKey(rs) is { } owner)
        {
            Enqueue(owner);
            return;
        }

        foreach (var d in _deployments.List(rs.Namespace()))
        {
            if (Selector(d).Matches(rs.Labels()))
            {
                Enqueue(Informer.Key(d));
            }
        }
    }

    private static string? OwnerKey(JsonObject rs) =>
        Owners.ControllerOf(rs) is { } reference && ObjectFields.String(reference, "kind") == "Deployment"
            ? Informer.Key(rs.Namespace(), ObjectFields.String(reference, "name") ?? "")
            : null;

    private static LabelSelector Selector(JsonObject d) => LabelSelector.FromObject(d["spec"]?["selector"] as JsonObject);

    private static int Replicas(JsonObject obj) => (int)(ObjectFields.Long(obj["spec"], "replicas") ?? 1);

    private static int StatusCount(JsonObject? obj, string field) => (int)(ObjectFields.Long(obj?["status"], field) ?? 0);

    private static long Revision(JsonObject rs) =>
        long.TryParse(ObjectFields.String(rs["metadata"]?["annotations"], RevisionAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 0;

    private static bool IsRecreate(JsonObject d) => ObjectFields.String(d["spec"]?["strategy"], "type") == "Recreate";

    private static bool IsPaused(JsonObject d) => d["spec"]?["paused"] is JsonValue v && v.TryGetValue<bool>(out var p) && p;

    private static (int Surge, int Unavailable) Limits(JsonObject d)
    {
        if (IsRecreate(d))
        {
            return (0, 0);
        }

        var rolling = d["spec"]?["strategy"]?["rollingUpdate"];
        var replicas = Replicas(d);
        var surge = IntOrPercent.Resolve(rolling?["maxSurge"], replicas, roundUp: true, fallback: (int)Math.Ceiling(replicas * 0.25));
        var unavailable = IntOrPercent.Resolve(rolling?["maxUnavailable"], replicas, roundUp: false, fallback: (int)Math.Floor(replicas * 0.25));
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1; // upstream: a rollout must be able to move
        }

        return (surge, Math.Min(unavailable, replicas));
    }

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var d = _deployments.Get(key);
        if (d is null || d.DeletionTimestamp() is not null)
        {
            return;
        }

        var selector = Selector(d);
        if (selector.IsEmpty)
        {
            _events.Warning(d, Deployments, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            return;
        }

        var sets = await ClaimReplicaSetsAsync(d, selector, cancellationToken);
        var state = new Rollout(d, sets);
        if (IsPaused(d))
        {
            await SyncAsync(state, cancellationToken);
        }
        else if (IsRecreate(d))
        {
            await RecreateAsync(state, cancellationToken);
        }
        else
        {
            await RollAsync(state, cancellationToken);
        }
    }

    /// <summary>The ReplicaSets this Deployment controls, adopting orphans that match and releasing its own that stopped matching.</summary>
    private async Task<List<JsonObject>> ClaimReplicaSetsAsync(JsonObject d, LabelSelector selector, CancellationToken cancellationToken)
    {
        var owned = new List<JsonObject>();
        foreach (var rs in _sets.List(d.Namespace()))
        {
            var matches = selector.Matches(rs.Labels());
            if (Owners.IsControlledBy(rs, d))
            {
                if (matches)
                {
                    owned.Add(rs);
                }
                else
                {
                    await _client.MergePatchAsync(ReplicaSets, rs.Namespace(), rs.Name()!, Owners.ReleasePatch(rs, d.Uid()!), null, cancellationToken);
                }
            }
            else if (matches && Owners.ControllerOf(rs) is null && rs.DeletionTimestamp() is null)
            {
                owned.Add(await _client.MergePatchAsync(ReplicaSets, rs.Namespace(), rs.Name()!, Owners.AdoptPatch(rs, d, Deployments), null, cancellationToken));
            }
        }

        return owned;
    }

    /// <summary>One pass over a Deployment: its ReplicaSets split into the one matching the template and the old ones.</summary>
    private sealed class Rollout
    {
        public Rollout(JsonObject d, List<JsonObject> sets)
        {
            Deployment = d;
            All = sets;
            New = sets.Where(rs => PodTemplateHash.EqualIgnoringHash(rs["spec"]?["template"], d["spec"]?["template"]))
                .OrderBy(rs => ObjectFields.String(rs["metadata"], "creationTimestamp"), StringComparer.Ordinal).FirstOrDefault();
            Old = sets.Where(rs => rs != New).OrderBy(rs => ObjectFields.String(rs["metadata"], "creationTimestamp"), StringComparer.Ordinal).ToList();
        }

        public JsonObject Deployment { get; }

        public List<JsonObject> All { get; private set; }

        public JsonObject? New { get; private set; }

        public List<JsonObject> Old { get; }

        public void Replace(JsonObject before, JsonObject after)
        {
            All = All.Select(rs => rs == before ? after : rs).ToList();
            if (New == before)
            {
                New = after;
            }

            var index = Old.IndexOf(before);
            if (index >= 0)
            {
                Old[index] = after;
            }
        }

        public void AddNew(JsonObject rs)
        {
            All = [.. All, rs];
            New = rs;
        }
    }
}
