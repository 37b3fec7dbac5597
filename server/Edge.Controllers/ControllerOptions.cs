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

    /// <summary>The Job controller's back-off for failed pods.</summary>
    public Jobs.JobControllerOptions Jobs { get; init; } = new();
}
