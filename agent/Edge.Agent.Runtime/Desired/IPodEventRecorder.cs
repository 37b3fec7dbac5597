namespace Edge.Agent.Runtime.Desired;

/// <summary>
/// Events about a pod, as kubelet records them (<c>Pulling</c>, <c>Failed</c>, <c>BackOff</c>,
/// <c>Unhealthy</c>, <c>Killing</c>…). Recording never throws and never blocks a pod worker:
/// an implementation queues and drops when the server cannot be reached.
/// </summary>
public interface IPodEventRecorder
{
    /// <param name="fieldPath">The container the event is about (<c>spec.containers{name}</c>), or null for the pod.</param>
    void Record(PodReference pod, string type, string reason, string message, string? fieldPath = null);
}

/// <summary>What an event's involvedObject names.</summary>
public sealed record PodReference(string Namespace, string Name, string Uid);
