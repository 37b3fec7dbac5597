using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.NodeLifecycle;

/// <summary>
/// Evicts pods from nodes with NoExecute taints they do not tolerate (upstream
/// <c>tainteviction</c>): at once without a matching toleration, or when the shortest matching
/// <c>tolerationSeconds</c> since the taint was added has passed (300 s by default for
/// not-ready/unreachable, added at admission).
/// </summary>
public sealed class TaintEvictionController : Controller
{
    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _nodes;
    private readonly Informer _pods;
    private readonly EventRecorder _events;

    public TaintEvictionController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("taint-eviction-controller", loggers.CreateLogger("taint-eviction-controller"), time)
    {
        _client = informers.Client;
        _nodes = informers.For(KnownResources.Nodes);
        _pods = informers.For(Pods);
        _events = new EventRecorder(_client, "taint-eviction-controller", Logger, time);
        _nodes.AddHandler(new InformerHandler(
            added: NodeChanged,
            updated: (old, node) =>
            {
                if (!JsonNode.DeepEquals(old["spec"]?["taints"], node["spec"]?["taints"]))
                {
                    NodeChanged(node);
                }
            }));
        _pods.AddHandler(new InformerHandler(
            added: pod => EnqueueIfBound(pod),
            updated: (old, pod) =>
            {
                if (PodState.NodeName(old) != PodState.NodeName(pod) || !JsonNode.DeepEquals(old["spec"]?["tolerations"], pod["spec"]?["tolerations"]))
                {
                    EnqueueIfBound(pod);
                }
            }));
    }

    private void NodeChanged(JsonObject node)
    {
        if (!NodeHealth.Taints(node).Any(t => ObjectFields.String(t, "effect") == "NoExecute"))
        {
            return;
        }

        foreach (var pod in _pods.List().Where(p => PodState.NodeName(p) == node.Name()))
        {
            Enqueue(Informer.Key(pod));
        }
    }

    private void EnqueueIfBound(JsonObject pod)
    {
        if (PodState.NodeName(pod) is { Length: > 0 })
        {
            Enqueue(Informer.Key(pod));
        }
    }

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        if (pod is null || pod.DeletionTimestamp() is not null || PodState.NodeName(pod) is not { Length: > 0 } nodeName ||
            _nodes.Get(null, nodeName) is not { } node)
        {
            return;
        }

        var tolerations = (pod["spec"]?["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        DateTimeOffset? evictAt = null;
        foreach (var taint in NodeHealth.Taints(node).Where(t => ObjectFields.String(t, "effect") == "NoExecute"))
        {
            var matching = tolerations.Where(t => NodeHealth.Tolerates(t, taint)).ToList();
            if (matching.Count == 0)
            {
                evictAt = DateTimeOffset.MinValue;
                break;
            }

            // Tolerated for the shortest of the matching tolerationSeconds; none set means forever.
            var seconds = matching.Select(t => ObjectFields.Long(t, "tolerationSeconds")).ToList();
            if (seconds.Any(s => s is null))
            {
                continue;
            }

            var added = ObjectFields.ParseTimestamp(ObjectFields.String(taint, "timeAdded")) ?? Time.GetUtcNow();
            var at = added.AddSeconds(Math.Max(0, seconds.Min(s => s!.Value)));
            evictAt = evictAt is { } earlier && earlier < at ? earlier : at;
        }

        if (evictAt is not { } when)
        {
            return;
        }

        var now = Time.GetUtcNow();
        if (when > now)
        {
            Queue.AddAfter(key, when - now);
            return;
        }

        _events.Normal(pod, Pods, "TaintManagerEviction", $"Marking for deletion Pod {pod.Namespace()}/{pod.Name()}");
        try
        {
            await _client.DeleteAsync(Pods, pod.Namespace(), pod.Name()!, new DeleteRequest { PreconditionUid = pod.Uid() }, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            // Gone already, or a new pod under the same name.
        }
    }
}
