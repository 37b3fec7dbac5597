using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Desired;

/// <summary>
/// What the server wants this node to run, as last received over the node channel. A new instance
/// per change; the JSON objects inside are shared and must not be mutated.
/// </summary>
/// <param name="Revision">The store revision this state reflects (what the agent acks).</param>
/// <param name="Pods">Pods bound to this node, by uid: the whole Pod object as the API serves it.</param>
/// <param name="ConfigMaps">ConfigMaps those pods use, by <c>namespace/name</c>.</param>
/// <param name="Secrets">Secrets those pods use, by <c>namespace/name</c>.</param>
/// <param name="PodCidr">The node's pod CIDR (<c>spec.podCIDR</c>), once the server allocated one.</param>
public sealed record NodeDesiredState(
    long Revision,
    IReadOnlyDictionary<string, JsonObject> Pods,
    IReadOnlyDictionary<string, JsonObject> ConfigMaps,
    IReadOnlyDictionary<string, JsonObject> Secrets,
    string? PodCidr)
{
    public static readonly NodeDesiredState Empty = new(0, new Dictionary<string, JsonObject>(), new Dictionary<string, JsonObject>(), new Dictionary<string, JsonObject>(), null);
}

/// <summary>The channel's side that the runtime reads: the latest desired state, and a wait for the next.</summary>
public interface IDesiredStateFeed
{
    /// <summary>The latest state; null until the first snapshot arrived (nothing is known yet — do not stop pods).</summary>
    NodeDesiredState? Current { get; }

    /// <summary>Completes with the latest state once it is a different instance than <paramref name="seen"/>.</summary>
    Task<NodeDesiredState> NextAsync(NodeDesiredState? seen, CancellationToken cancellationToken);
}

/// <summary>A pod's status as the node observed it: the whole <c>status</c> object.</summary>
public sealed record PodStatusUpdate(string Namespace, string Name, string Uid, JsonObject Status);

/// <summary>The channel's side that the runtime writes to: pod status up, and deletion confirmed.</summary>
public interface IPodStatusSink
{
    /// <summary>Queues the pod's status for the server; a later update of the same pod may replace a queued one.</summary>
    ValueTask ReportAsync(PodStatusUpdate update, CancellationToken cancellationToken);

    /// <summary>The pod's containers and sandbox are gone: the server may remove the Pod object (uid-guarded).</summary>
    ValueTask ConfirmDeletedAsync(string @namespace, string name, string uid, CancellationToken cancellationToken);
}
