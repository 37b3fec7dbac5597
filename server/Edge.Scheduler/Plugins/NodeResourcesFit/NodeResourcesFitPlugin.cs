using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// Filter: the pod's effective request must fit in the node's allocatable minus what the pods
/// there (and pods nominated there with at least its priority) request, for every resource it
/// requests, and the pod count must stay within <c>pods</c>. Score: LeastAllocated on cpu and
/// memory, with upstream's non-zero defaults for containers that request nothing.
/// </summary>
internal sealed class NodeResourcesFitPlugin : IFilterPlugin, IScorePlugin
{
    public const string TooManyPods = "Too many pods";
    static readonly Status TooManyPodsStatus = Status.Unschedulable(TooManyPods);
    static readonly Status InsufficientCpu = Status.Unschedulable("Insufficient cpu");
    static readonly Status InsufficientMemory = Status.Unschedulable("Insufficient memory");

    public string Name => "NodeResourcesFit";

    public int Weight => 1;

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var allocatable = node.Node.Allocatable;
        var requested = node.Requested;
        var request = pod.Requests;
        long nominatedPods = 0, nominatedCpu = 0, nominatedMemory = 0;
        ResourceList? nominated = null;
        if (node.NominatedPods.Count > 0)
        {
            nominated = new ResourceList();
            foreach (var other in node.NominatedPods)
            {
                if (other.Priority >= pod.Priority && other.Key != pod.Key)
                    nominated.Add(other.Requests);
            }
            (nominatedPods, nominatedCpu, nominatedMemory) = (nominated.PodCount, nominated.MilliCpu, nominated.MemoryBytes);
        }

        var tooManyPods = requested.PodCount + nominatedPods + 1 > allocatable.PodCount;
        var cpu = request.MilliCpu > 0 && request.MilliCpu > allocatable.MilliCpu - requested.MilliCpu - nominatedCpu;
        var memory = request.MemoryBytes > 0 && request.MemoryBytes > allocatable.MemoryBytes - requested.MemoryBytes - nominatedMemory;
        var storage = request.EphemeralStorageBytes > 0 &&
            request.EphemeralStorageBytes > allocatable.EphemeralStorageBytes - requested.EphemeralStorageBytes - (nominated?.EphemeralStorageBytes ?? 0);
        List<string>? scalars = null;
        if (request.Scalars is { } wanted)
        {
            foreach (var (name, amount) in wanted)
            {
                if (amount > 0 && amount > allocatable.Scalar(name) - requested.Scalar(name) - (nominated?.Scalar(name) ?? 0))
                    (scalars ??= []).Add("Insufficient " + name);
            }
        }

        if (!tooManyPods && !cpu && !memory && !storage && scalars is null)
            return Status.Success;
        // The common single-reason verdicts are shared; combinations are rare enough to allocate.
        if (scalars is null && !storage)
        {
            if (tooManyPods && !cpu && !memory)
                return TooManyPodsStatus;
            if (cpu && !tooManyPods && !memory)
                return InsufficientCpu;
            if (memory && !tooManyPods && !cpu)
                return InsufficientMemory;
        }
        var reasons = new List<string>(4);
        if (tooManyPods)
            reasons.Add(TooManyPods);
        if (cpu)
            reasons.Add("Insufficient cpu");
        if (memory)
            reasons.Add("Insufficient memory");
        if (storage)
            reasons.Add("Insufficient ephemeral-storage");
        if (scalars is not null)
            reasons.AddRange(scalars.Order(StringComparer.Ordinal));
        return Status.Unschedulable([.. reasons]);
    }

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster) => true;

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var allocatable = node.Node.Allocatable;
        var cpu = LeastAllocated(node.NonZeroMilliCpu + pod.NonZeroMilliCpu, allocatable.MilliCpu);
        var memory = LeastAllocated(node.NonZeroMemory + pod.NonZeroMemory, allocatable.MemoryBytes);
        return (cpu + memory) / 2;
    }

    public void Normalize(CycleState state, Span<long> scores)
    {
    }

    static long LeastAllocated(long requested, long capacity) =>
        capacity == 0 || requested > capacity ? 0 : (capacity - requested) * ScoreNormalization.MaxNodeScore / capacity;
}

/// <summary>Prefers nodes whose cpu and memory would be used in equal proportion after placing the pod.</summary>
internal sealed class BalancedAllocationPlugin : IScorePlugin
{
    public string Name => "NodeResourcesBalancedAllocation";

    public int Weight => 1;

    // As upstream, a pod that requests neither cpu nor memory is not scored here.
    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster) =>
        pod.Requests.MilliCpu > 0 || pod.Requests.MemoryBytes > 0;

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var allocatable = node.Node.Allocatable;
        var cpu = Fraction(node.Requested.MilliCpu + pod.Requests.MilliCpu, allocatable.MilliCpu);
        var memory = Fraction(node.Requested.MemoryBytes + pod.Requests.MemoryBytes, allocatable.MemoryBytes);
        // The standard deviation of two fractions is half their distance.
        var std = Math.Abs(cpu - memory) / 2;
        return (long)((1 - std) * ScoreNormalization.MaxNodeScore);
    }

    public void Normalize(CycleState state, Span<long> scores)
    {
    }

    static double Fraction(long requested, long capacity) =>
        capacity == 0 ? 1 : Math.Min(1, (double)requested / capacity);
}
