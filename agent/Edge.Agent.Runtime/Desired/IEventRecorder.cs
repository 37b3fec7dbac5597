namespace Edge.Agent.Runtime.Desired;

/// <summary>
/// Events the node records, as kubelet does: about a pod (<c>Pulling</c>, <c>Failed</c>,
/// <c>BackOff</c>, <c>Unhealthy</c>, <c>Killing</c>…) or about the node itself
/// (<c>FreeDiskSpaceFailed</c>). Recording never throws and never blocks the caller: an
/// implementation queues and drops when the server cannot be reached.
/// </summary>
public interface IEventRecorder
{
    /// <param name="fieldPath">The container the event is about (<c>spec.containers{name}</c>), or null for the pod.</param>
    void Record(PodReference pod, string type, string reason, string message, string? fieldPath = null);

    /// <summary>An event about the node (kubelet's node reference: kind Node, the node's name as name and uid).</summary>
    void RecordForNode(string type, string reason, string message);
}

/// <summary>What an event's involvedObject names.</summary>
public sealed record PodReference(string Namespace, string Name, string Uid);
