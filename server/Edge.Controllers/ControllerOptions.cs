namespace Edge.Controllers;

/// <summary>Tuning of the control loops, with upstream's defaults (kube-controller-manager flags).</summary>
public sealed record ControllerOptions
{
    /// <summary>How long a node may go without a heartbeat before it is Unknown (<c>--node-monitor-grace-period</c>, 40 s).</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often every node's heartbeat is looked at (<c>--node-monitor-period</c>, 5 s).</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Nodes per second that may newly get a NoExecute taint (<c>--node-eviction-rate</c>, 0.1): a power cut of the whole site must not empty it at once.</summary>
    public double NodeEvictionRate { get; init; } = 0.1;

    /// <summary>Which of several servers on one store runs the loops.</summary>
    public Leadership.LeaderElectionOptions LeaderElection { get; init; } = new();

    /// <summary>
    /// How long the pod garbage collector waits after it finds a pod bound to a node that does not
    /// exist before it deletes the pod (upstream's fixed 40 s quarantine): a node object being
    /// re-created, or one the cache has not seen yet, must not cost its pods.
    /// </summary>
    public TimeSpan PodGcOrphanQuarantine { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>
    /// Finished pods (Succeeded or Failed) kept before the oldest are deleted
    /// (<c>--terminated-pod-gc-threshold</c>, 12500); 0 keeps them all.
    /// </summary>
    public int TerminatedPodGcThreshold { get; init; } = 12500;

    /// <summary>The IPv4 range node pod CIDRs are cut from (<c>--cluster-cidr</c>, k3s' 10.42.0.0/16).</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>The prefix length of each node's pod CIDR (<c>--node-cidr-mask-size-ipv4</c>, 24).</summary>
    public int NodeCidrMaskSize { get; init; } = 24;

    /// <summary>
    /// The cluster CA (PEM) that every namespace gets as ConfigMap <c>kube-root-ca.crt</c>
    /// (<c>--root-ca-file</c>); without it the publisher does not run.
    /// </summary>
    public string? RootCaBundle { get; init; }

    /// <summary>The Job controller's back-off for failed pods.</summary>
    public Jobs.JobControllerOptions Jobs { get; init; } = new();
}
