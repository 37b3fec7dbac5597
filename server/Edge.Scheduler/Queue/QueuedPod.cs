using Edge.Scheduler.Model;

namespace Edge.Scheduler.Queue;

internal enum QueueLocation
{
    Active,
    Backoff,
    Unschedulable,
    /// <summary>Popped and being scheduled (or bound).</summary>
    InFlight,
}

/// <summary>A pending pod with its scheduling history.</summary>
internal sealed class QueuedPod(SchedulingPod pod, DateTimeOffset timestamp)
{
    public SchedulingPod Pod { get; set; } = pod;
    /// <summary>When the pod entered the queue or last failed: orders equal priorities and starts the backoff.</summary>
    public DateTimeOffset Timestamp { get; set; } = timestamp;
    public int Attempts { get; set; }
    public QueueLocation Location { get; set; }
    /// <summary>Bumped on every move so stale heap entries can be skipped instead of searched for.</summary>
    public long Version { get; set; }
    /// <summary>The cycle in which the pod was last popped.</summary>
    public long Cycle { get; set; }
    /// <summary>The last failure came from pod (anti-)affinity or topology spread, which a new pod on a node can resolve.</summary>
    public bool WaitsForPods { get; set; }
    public bool Deleted { get; set; }
}
