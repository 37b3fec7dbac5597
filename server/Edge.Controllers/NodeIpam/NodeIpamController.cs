using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.NodeIpam;

/// <summary>
/// Gives each Node its pod range, <c>spec.podCIDR</c> / <c>spec.podCIDRs</c> (upstream
/// <c>nodeipam</c> with the range allocator): a subnet of <see cref="ControllerOptions.NodeCidrMaskSize"/>
/// from <see cref="ControllerOptions.ClusterCidr"/>, never the same for two nodes. A node's CIDR
/// never changes once set (the API refuses it); a deleted node's returns to the pool. The CIDRs
/// already assigned are learnt from the informer's first list, before any loop runs. When the
/// pool is empty the node gets a <c>CIDRNotAvailable</c> warning and waits for a CIDR to be freed.
/// IPv4 only, one range.
/// </summary>
public sealed class NodeIpamController : Controller
{
    private static readonly ResourceType Nodes = KnownResources.Nodes;

    private readonly IClusterClient _client;
    private readonly Informer _nodes;
    private readonly EventRecorder _events;
    private readonly object _lock = new();
    private readonly CidrSet _set;

    /// <summary>Who holds each CIDR taken, by node name.</summary>
    private readonly Dictionary<string, string> _holders = new(StringComparer.Ordinal);

    /// <summary>CIDRs allocated to nodes whose update the cache has not shown yet.</summary>
    private readonly Dictionary<string, string> _pending = new(StringComparer.Ordinal);

    /// <summary>Nodes told the pool is empty, served when a CIDR is freed.</summary>
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);

    public NodeIpamController(InformerSet informers, ControllerOptions options, ILoggerFactory loggers, TimeProvider time)
        : base("node-ipam-controller", loggers.CreateLogger("node-ipam-controller"), time)
    {
        _client = informers.Client;
        _set = new CidrSet(options.ClusterCidr, options.NodeCidrMaskSize);
        _nodes = informers.For(Nodes);
        _events = new EventRecorder(_client, "cidrAllocator", Logger, time);
        _nodes.AddHandler(new InformerHandler(
            added: NodeSeen,
            updated: (_, n) => NodeSeen(n),
            deleted: NodeDeleted));
    }

    private static string? PodCidr(JsonObject node) => ObjectFields.String(node["spec"], "podCIDR") is { Length: > 0 } cidr ? cidr : null;

    /// <summary>Runs for the first list too, so the pool knows every assigned CIDR before the loop starts.</summary>
    private void NodeSeen(JsonObject node)
    {
        var name = node.Name()!;
        if (PodCidr(node) is { } cidr)
        {
            lock (_lock)
            {
                if (_pending.Remove(name, out var allocated) && allocated != cidr)
                {
                    Release(allocated, name);
                }

                _waiting.Remove(name);
                if (_set.Occupy(cidr))
                {
                    _holders[cidr] = name;
                }
            }

            return;
        }

        Enqueue(name);
    }

    private void NodeDeleted(JsonObject node)
    {
        var name = node.Name()!;
        string[] waiting;
        lock (_lock)
        {
            var freed = false;
            if (PodCidr(node) is { } cidr)
            {
                freed |= Release(cidr, name);
            }

            if (_pending.Remove(name, out var allocated))
            {
                freed |= Release(allocated, name);
            }

            _waiting.Remove(name);
            waiting = freed ? [.. _waiting] : [];
        }

        foreach (var other in waiting)
        {
            Enqueue(other);
        }
    }

    /// <summary>Frees a CIDR if <paramref name="node"/> holds it (not when a namesake does).</summary>
    private bool Release(string cidr, string node)
    {
        if (_holders.TryGetValue(cidr, out var holder) && holder == node)
        {
            _holders.Remove(cidr);
            _set.Release(cidr);
            return true;
        }

        return false;
    }

    protected override async Task ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Get(null, name);
        if (node is null || PodCidr(node) is not null || node.DeletionTimestamp() is not null)
        {
            return;
        }

        string? cidr;
        bool firstRefusal = false;
        lock (_lock)
        {
            if (!_pending.TryGetValue(name, out cidr))
            {
                if (_set.TryAllocate(out var allocated))
                {
                    cidr = allocated;
                    _pending[name] = cidr;
                    _holders[cidr] = name;
                }
                else
                {
                    firstRefusal = _waiting.Add(name);
                }
            }
        }

        if (cidr is null)
        {
            if (firstRefusal)
            {
                NodeIpamLog.PoolFull(Logger, name);
                _events.Warning(node, Nodes, "CIDRNotAvailable", $"Node {name} status is now: CIDRNotAvailable");
            }

            return;
        }

        var updated = (JsonObject)node.DeepClone();
        var spec = updated["spec"] as JsonObject ?? [];
        updated["spec"] = spec;
        spec["podCIDR"] = cidr;
        spec["podCIDRs"] = new JsonArray((JsonNode)JsonValue.Create(cidr));
        try
        {
            await _client.UpdateAsync(Nodes, updated, null, cancellationToken);
            NodeIpamLog.Allocated(Logger, cidr, name);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 422)
        {
            // Gone, or given a CIDR by someone else: this one goes back (the informer brings the other).
            lock (_lock)
            {
                if (_pending.Remove(name))
                {
                    Release(cidr, name);
                }
            }

            if (e.Status.Code == 422)
            {
                throw new RetryLaterException($"node {name} refused pod CIDR {cidr}: {e.Message}");
            }
        }
    }
}

internal static partial class NodeIpamLog
{
    [LoggerMessage(1, LogLevel.Information, "Allocated pod CIDR {Cidr} to node {Node}")]
    public static partial void Allocated(ILogger logger, string cidr, string node);

    [LoggerMessage(2, LogLevel.Warning, "No pod CIDR is free for node {Node}")]
    public static partial void PoolFull(ILogger logger, string node);
}
