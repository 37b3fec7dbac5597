using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.PodGarbageCollection;

/// <summary>
/// Deletes pods no one else will (upstream <c>pkg/controller/podgc</c>): pods bound to a node
/// that does not exist, once it has been missing for <see cref="ControllerOptions.PodGcOrphanQuarantine"/>
/// and the API confirms it; unscheduled pods being deleted (no kubelet will finish them); and the
/// oldest finished pods beyond <see cref="ControllerOptions.TerminatedPodGcThreshold"/>. These
/// deletions are forced (grace period 0): there is no kubelet to wait for, or nothing running.
/// The queue holds pod keys, and <see cref="TerminatedKey"/> for the finished-pod count.
/// </summary>
public sealed class PodGcController : Controller
{
    /// <summary>Not a valid pod key (names have no spaces), so it cannot collide with one.</summary>
    private const string TerminatedKey = "terminated pods";

    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly ControllerOptions _options;
    private readonly Dictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    public PodGcController(InformerSet informers, ControllerOptions options, ILoggerFactory loggers, TimeProvider time)
        : base("pod-garbage-collector", loggers.CreateLogger("pod-garbage-collector"), time)
    {
        _client = informers.Client;
        _options = options;
        _pods = informers.For(Pods);
        _nodes = informers.For(KnownResources.Nodes);
        _pods.AddHandler(new InformerHandler(
            added: PodChanged,
            updated: (_, p) => PodChanged(p)));
        _nodes.AddHandler(new InformerHandler(
            added: n =>
            {
                lock (_missingSince)
                {
                    _missingSince.Remove(n.Name()!);
                }
            },
            deleted: n =>
            {
                foreach (var pod in _pods.List().Where(p => PodState.NodeName(p) == n.Name()))
                {
                    Enqueue(Informer.Key(pod));
                }
            }));
    }

    private void PodChanged(JsonObject pod)
    {
        if (PodState.IsTerminal(pod) && _options.TerminatedPodGcThreshold > 0)
        {
            Enqueue(TerminatedKey);
        }

        var node = PodState.NodeName(pod);
        if ((node is { Length: > 0 } && _nodes.Get(null, node) is null) || (string.IsNullOrEmpty(node) && pod.DeletionTimestamp() is not null))
        {
            Enqueue(Informer.Key(pod));
        }
    }

    protected override Task ReconcileAsync(string key, CancellationToken cancellationToken) =>
        key == TerminatedKey ? CollectTerminatedAsync(cancellationToken) : CollectPodAsync(key, cancellationToken);

    private async Task CollectPodAsync(string key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        if (pod is null)
        {
            return;
        }

        var node = PodState.NodeName(pod);
        if (string.IsNullOrEmpty(node))
        {
            if (pod.DeletionTimestamp() is not null)
            {
                PodGcLog.Deleting(Logger, key, "unscheduled and terminating");
                await ForceDeleteAsync(pod, cancellationToken);
            }

            return;
        }

        if (_nodes.Get(null, node) is not null)
        {
            return;
        }

        var now = Time.GetUtcNow();
        DateTimeOffset since;
        lock (_missingSince)
        {
            since = _missingSince.TryGetValue(node, out var first) ? first : now;
            _missingSince[node] = since;
        }

        var left = _options.PodGcOrphanQuarantine - (now - since);
        if (left > TimeSpan.Zero)
        {
            Queue.AddAfter(key, left + TimeSpan.FromMilliseconds(10));
            return;
        }

        // The cache may lag: only the API's word that the node is gone costs the pod.
        try
        {
            await _client.GetAsync(KnownResources.Nodes, null, node, cancellationToken);
            return;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
        }

        PodGcLog.Deleting(Logger, key, $"bound to node {node}, which does not exist");
        await ForceDeleteAsync(pod, cancellationToken);
    }

    /// <summary>Deletes the oldest finished pods beyond the threshold (oldest by creation, as upstream).</summary>
    private async Task CollectTerminatedAsync(CancellationToken cancellationToken)
    {
        var threshold = _options.TerminatedPodGcThreshold;
        var finished = _pods.List().Where(p => PodState.IsTerminal(p) && p.DeletionTimestamp() is null).ToList();
        var excess = finished.Count - threshold;
        if (threshold <= 0 || excess <= 0)
        {
            return;
        }

        var victims = finished
            .OrderBy(p => ObjectFields.ParseTimestamp(ObjectFields.String(p["metadata"], "creationTimestamp")) ?? DateTimeOffset.MinValue)
            .ThenBy(Informer.Key, StringComparer.Ordinal)
            .Take(excess);
        foreach (var pod in victims)
        {
            PodGcLog.Deleting(Logger, Informer.Key(pod), $"more than {threshold} finished pods");
            await ForceDeleteAsync(pod, cancellationToken);
        }
    }

    private async Task ForceDeleteAsync(JsonObject pod, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteAsync(Pods, pod.Namespace(), pod.Name()!,
                new DeleteRequest { PreconditionUid = pod.Uid(), GracePeriodSeconds = 0 }, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            // Gone already, or a namesake: nothing of ours to delete.
        }
    }
}

internal static partial class PodGcLog
{
    [LoggerMessage(1, LogLevel.Information, "Deleting pod {Pod}: {Reason}")]
    public static partial void Deleting(ILogger logger, string pod, string reason);
}
