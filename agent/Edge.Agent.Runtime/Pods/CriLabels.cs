namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// The labels kubelet puts on sandboxes and containers; the agent finds its pods in the runtime by
/// them after a restart, and tools such as crictl show them.
/// </summary>
public static class CriLabels
{
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string ContainerName = "io.kubernetes.container.name";

    /// <summary>Marks what this agent created, so a shared containerd's other sandboxes are never touched.</summary>
    public const string ManagedBy = "edge.io/managed-by";
    public const string ManagedByValue = "edge-agent";

    /// <summary>Annotation on containers: 1 for init containers (they run to completion, in order).</summary>
    public const string InitContainer = "edge.io/init-container";
}
