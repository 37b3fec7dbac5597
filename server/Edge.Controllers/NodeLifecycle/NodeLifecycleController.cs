using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.NodeLifecycle;

/// <summary>
/// Notices dead nodes (upstream <c>node_lifecycle_controller</c>): a node whose Lease and status
/// have not been renewed for the grace period gets its conditions set to Unknown, its pods marked
/// not ready, and the <c>unreachable</c> taints (a node reporting Ready=False gets the
/// <c>not-ready</c> ones). The NoSchedule taint keeps new pods away; the NoExecute taint, given to
/// at most <see cref="ControllerOptions.NodeEvictionRate"/> nodes per second, lets the
/// <see cref="TaintEvictionController"/> evict pods that do not tolerate it. Nodes labelled
/// <c>edge.io/autonomy=true</c> never get the NoExecute taint: their pods stay bound through an
/// outage and carry on when the node returns.
/// </summary>
public sealed partial class NodeLifecycleController : Controller
{
    private static readonly ResourceType Nodes = KnownResources.Nodes;
    private static readonly string[] HealthConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly IClusterClient _client;
    private readonly Informer _nodes;
    private readonly Informer _leases;
    private readonly Informer _pods;
    private readonly ControllerOptions _options;
    private readonly EventRecorder _events;
    private readonly object _bucketLock = new();
    private double _tokens = 1;
    private DateTimeOffset _refilled;

    public NodeLifecycleController(InformerSet informers, ControllerOptions options, ILoggerFactory loggers, TimeProvider time)
        : base("node-lifecycle-controller", loggers.CreateLogger("node-lifecycle-controller"), time)
    {
        _client = informers.Client;
        _options = options;
        _nodes = informers.For(Nodes);
        _leases = informers.For(KnownResources.Leases);
        _pods = informers.For(KnownResources.Pods);
        _events = new EventRecorder(_client, "node-controller", Logger, time);
        _refilled = time.GetUtcNow();
        _nodes.AddHandler(new InformerHandler(
            added: n => Enqueue(n.Name()!),
            updated: (_, n) => Enqueue(n.Name()!)));
    }

    /// <summary>Looks at every node each monitor period: silence is not an event.</summary>
    public async Task MonitorAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.NodeMonitorPeriod, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var node in _nodes.List())
                {
                    Enqueue(node.Name()!);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    protected override async Task ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(null, name);
        if (node is null)
        {
            return;
        }

        var now = Time.GetUtcNow();
        var ready = NodeHealth.Condition(node, "Ready");
        var silentFor = now - LastHeartbeat(node, ready);
        var readiness = ObjectFields.String(ready, "status") ?? "Unknown";
        if (silentFor > _options.NodeMonitorGracePeriod)
        {
            if (readiness != "Unknown" || ready is null)
            {
                node = await MarkUnknownAsync(node, ready is null, cancellationToken);
                await MarkPodsNotReadyAsync(name, cancellationToken);
                _events.Normal(node, Nodes, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
            }

            readiness = "Unknown";
        }
        else if (ready is null)
        {
            // Registered but never reported: wait for the first status within the grace period.
            Queue.AddAfter(name, _options.NodeMonitorGracePeriod - silentFor + TimeSpan.FromMilliseconds(100));
            return;
        }
        else
        {
            // Look again exactly when this node would pass the grace period without a heartbeat.
            Queue.AddAfter(name, _options.NodeMonitorGracePeriod - silentFor + TimeSpan.FromMilliseconds(100));
        }

        await UpdateTaintsAsync(node, readiness, cancellationToken);
    }

    /// <summary>The newest of the Lease's renewTime, the Ready condition's heartbeat, and the node's creation.</summary>
    private DateTimeOffset LastHeartbeat(JsonObject node, JsonObject? ready)
    {
        var times = new[]
        {
            ObjectFields.ParseTimestamp(ObjectFields.String(_leases.Get("kube-node-lease", node.Name()!)?["spec"], "renewTime")),
            ObjectFields.ParseTimestamp(ObjectFields.String(ready, "lastHeartbeatTime")),
            ObjectFields.ParseTimestamp(ObjectFields.String(node["metadata"], "creationTimestamp")),
        };
        return times.OfType<DateTimeOffset>().DefaultIfEmpty(DateTimeOffset.MinValue).Max();
    }

    private async Task<JsonObject> MarkUnknownAsync(JsonObject node, bool neverReported, CancellationToken cancellationToken)
    {
        var updated = (JsonObject)node.DeepClone();
        var status = updated["status"] as JsonObject ?? [];
        updated["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var now = ObjectFields.Timestamp(Time.GetUtcNow());
        foreach (var type in HealthConditions)
        {
            var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => ObjectFields.String(c, "type") == type);
            if (condition is null)
            {
                if (type != "Ready" && !neverReported)
                {
                    continue;
                }

                condition = new JsonObject { ["type"] = type };
                conditions.Add((JsonNode)condition);
            }

            if (ObjectFields.String(condition, "status") == "Unknown")
            {
                continue;
            }

            condition["status"] = "Unknown";
            condition["reason"] = neverReported ? "NodeStatusNeverUpdated" : "NodeStatusUnknown";
            condition["message"] = neverReported ? "Kubelet never posted node status." : "Kubelet stopped posting node status.";
            condition["lastTransitionTime"] = now;
        }

        return await _client.UpdateAsync(Nodes, updated, "status", cancellationToken);
    }

    /// <summary>Pods on a silent node are no longer known to be ready (upstream <c>MarkPodsNotReady</c>); endpoints stop sending them traffic.</summary>
    private async Task MarkPodsNotReadyAsync(string node, CancellationToken cancellationToken)
    {
        foreach (var pod in _pods.List().Where(p => PodState.NodeName(p) == node && PodState.IsReady(p)))
        {
            var updated = (JsonObject)pod.DeepClone();
            var ready = PodState.Condition(updated, "Ready")!;
            ready["status"] = "False";
            ready["lastTransitionTime"] = ObjectFields.Timestamp(Time.GetUtcNow());
            try
            {
                await _client.UpdateAsync(KnownResources.Pods, updated, "status", cancellationToken);
            }
            catch (Api.Errors.ApiException e) when (e.Status.Code is 404 or 409)
            {
                // Gone or changed: the kubelet (or the next pass) has the last word.
            }
        }
    }

    /// <summary>Sets the not-ready / unreachable taints that match the node's readiness and removes the others.</summary>
    private async Task UpdateTaintsAsync(JsonObject node, string readiness, CancellationToken cancellationToken)
    {
        var wantedKey = readiness switch
        {
            "True" => null,
            "False" => NodeHealth.NotReadyTaint,
            _ => NodeHealth.UnreachableTaint,
        };
        var taints = NodeHealth.Taints(node).ToList();
        var kept = taints.Where(t => ObjectFields.String(t, "key") is not (NodeHealth.NotReadyTaint or NodeHealth.UnreachableTaint) ||
            (ObjectFields.String(t, "key") == wantedKey && (ObjectFields.String(t, "effect") == "NoSchedule" || !NodeHealth.HasAutonomy(node))))
            .Select(t => (JsonObject)t.DeepClone()).ToList();
        if (wantedKey is not null)
        {
            if (!kept.Any(t => ObjectFields.String(t, "key") == wantedKey && ObjectFields.String(t, "effect") == "NoSchedule"))
            {
                kept.Add(new JsonObject { ["key"] = wantedKey, ["effect"] = "NoSchedule", ["timeAdded"] = ObjectFields.Timestamp(Time.GetUtcNow()) });
            }

            if (!NodeHealth.HasAutonomy(node) && !kept.Any(t => ObjectFields.String(t, "key") == wantedKey && ObjectFields.String(t, "effect") == "NoExecute"))
            {
                if (TakeEvictionToken(out var wait))
                {
                    kept.Add(new JsonObject { ["key"] = wantedKey, ["effect"] = "NoExecute", ["timeAdded"] = ObjectFields.Timestamp(Time.GetUtcNow()) });
                }
                else
                {
                    Queue.AddAfter(node.Name()!, wait);
                }
            }
        }

        if (JsonNode.DeepEquals(new JsonArray([.. kept.Select(t => t.DeepClone())]), new JsonArray([.. taints.Select(t => t.DeepClone())])))
        {
            return;
        }

        var updated = (JsonObject)node.DeepClone();
        var spec = updated["spec"] as JsonObject ?? [];
        updated["spec"] = spec;
        if (kept.Count == 0)
        {
            spec.Remove("taints");
        }
        else
        {
            spec["taints"] = new JsonArray([.. kept]);
        }

        await _client.UpdateAsync(Nodes, updated, null, cancellationToken);
    }

    /// <summary>A token bucket of one: NoExecute taints go out at most at the eviction rate.</summary>
    private bool TakeEvictionToken(out TimeSpan wait)
    {
        lock (_bucketLock)
        {
            var now = Time.GetUtcNow();
            _tokens = Math.Min(1, _tokens + (now - _refilled).TotalSeconds * _options.NodeEvictionRate);
            _refilled = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                wait = TimeSpan.Zero;
                return true;
            }

            wait = TimeSpan.FromSeconds((1 - _tokens) / Math.Max(_options.NodeEvictionRate, 1e-6));
            return false;
        }
    }
}
