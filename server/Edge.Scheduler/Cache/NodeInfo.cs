using Edge.Scheduler.Model;

namespace Edge.Scheduler.Cache;

/// <summary>A node with the pods accounted on it and their running totals, kept current per event.</summary>
internal sealed class NodeInfo
{
    public NodeInfo(SchedulingNode node) => Node = node;

    public SchedulingNode Node { get; set; }
    public string Name => Node.Name;
    /// <summary>Position in the cluster's node list, for the rotating start of the node search.</summary>
    public int Index { get; set; }
    public List<SchedulingPod> Pods { get; } = [];
    public ResourceList Requested { get; } = new();
    public long NonZeroMilliCpu { get; private set; }
    public long NonZeroMemory { get; private set; }
    public List<HostPort> UsedPorts { get; } = [];
    /// <summary>Pods whose terms can attract or repel others in scoring: preferred terms or required affinity.</summary>
    public List<SchedulingPod> PodsWithAffinity { get; } = [];
    public List<SchedulingPod> PodsWithRequiredAntiAffinity { get; } = [];
    /// <summary>Pods that preempted others here and wait for them to go; they reserve their request.</summary>
    public List<SchedulingPod> NominatedPods { get; } = [];

    public void AddPod(SchedulingPod pod)
    {
        Pods.Add(pod);
        Requested.Add(pod.Requests);
        NonZeroMilliCpu += pod.NonZeroMilliCpu;
        NonZeroMemory += pod.NonZeroMemory;
        UsedPorts.AddRange(pod.HostPorts);
        if (pod.AffectsAffinityScores)
            PodsWithAffinity.Add(pod);
        if (pod.RequiredAntiAffinity.Length > 0)
            PodsWithRequiredAntiAffinity.Add(pod);
    }

    public bool RemovePod(string key)
    {
        var index = Pods.FindIndex(p => p.Key == key);
        if (index < 0)
            return false;
        var pod = Pods[index];
        Pods.RemoveAt(index);
        Requested.Add(pod.Requests, -1);
        NonZeroMilliCpu -= pod.NonZeroMilliCpu;
        NonZeroMemory -= pod.NonZeroMemory;
        foreach (var port in pod.HostPorts)
            UsedPorts.Remove(port);
        PodsWithAffinity.Remove(pod);
        PodsWithRequiredAntiAffinity.Remove(pod);
        return true;
    }

    /// <summary>A copy whose pod list can be changed to simulate preemption.</summary>
    public NodeInfo Clone()
    {
        var copy = new NodeInfo(Node) { Index = Index };
        foreach (var pod in Pods)
            copy.AddPod(pod);
        copy.NominatedPods.AddRange(NominatedPods);
        return copy;
    }
}
