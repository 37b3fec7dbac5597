using Edge.Scheduler.Model;

namespace Edge.Scheduler;

/// <summary>Binds a pod to a node; the host POSTs <c>pods/{name}/binding</c>. A throw means the bind failed and the pod is retried.</summary>
public interface IPodBinder
{
    Task BindAsync(PodRef pod, string nodeName, CancellationToken cancellationToken);
}

/// <summary>Evicts a preemption victim (the host deletes it with a DisruptionTarget condition, reason PreemptionByScheduler).</summary>
public interface IPodEvictor
{
    Task EvictAsync(PodRef victim, PodRef preemptor, string nodeName, CancellationToken cancellationToken);
}

/// <summary>Writes what the scheduler decided into the API: pod conditions, <c>status.nominatedNodeName</c> and events.</summary>
public interface ISchedulingReporter
{
    /// <summary>Event <c>Scheduled</c> with <paramref name="message"/> ("Successfully assigned ns/name to node").</summary>
    Task ScheduledAsync(PodRef pod, string nodeName, string message, CancellationToken cancellationToken);

    /// <summary>
    /// Condition <c>PodScheduled=False</c> reason <c>Unschedulable</c> and event <c>FailedScheduling</c>, both
    /// with <paramref name="message"/>; when <paramref name="nominatedNodeName"/> is not null, also set
    /// <c>status.nominatedNodeName</c> to it (empty clears it).
    /// </summary>
    Task UnschedulableAsync(PodRef pod, string message, string? nominatedNodeName, CancellationToken cancellationToken);
}

/// <summary>Tuning with upstream's defaults.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Nodes to find feasible before scoring, in percent; 0 (default) is upstream's adaptive rule.</summary>
    public int PercentageOfNodesToScore { get; init; }
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long a pod may wait in the unschedulable set before it is retried anyway.</summary>
    public TimeSpan MaxInUnschedulable { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Seed for the tie-break among equally scored nodes; null for a random seed.</summary>
    public int? Seed { get; init; }
    /// <summary>The <c>spec.schedulerName</c> this scheduler serves (an empty name means it too).</summary>
    public string SchedulerName { get; init; } = "default-scheduler";
}
