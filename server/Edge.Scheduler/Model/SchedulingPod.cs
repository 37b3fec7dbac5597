using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Scheduler.Model;

/// <summary>
/// What the scheduler needs of a pod, parsed once per watch event: filters and scores run many
/// times per pod and must not walk JSON.
/// </summary>
public sealed partial class SchedulingPod
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string Uid { get; init; }
    /// <summary><c>namespace/name</c>, the key of the queue and the cache.</summary>
    public string Key => field ??= Namespace + "/" + Name;
    public PodRef Ref => new(Namespace, Name, Uid);

    /// <summary>Our own copy of <c>metadata.labels</c>, for <see cref="Edge.Api.Selectors.LabelSelector.Matches"/>.</summary>
    public JsonObject? Labels { get; init; }
    /// <summary>The same labels for direct lookups.</summary>
    internal Dictionary<string, string>? LabelMap { get; init; }

    public bool TryGetLabel(string key, out string value)
    {
        if (LabelMap is { } map && map.TryGetValue(key, out value!))
            return true;
        value = "";
        return false;
    }
    public string NodeName { get; init; } = "";
    public string SchedulerName { get; init; } = "";
    public string NominatedNodeName { get; init; } = "";
    public bool Terminating { get; init; }
    /// <summary>Succeeded or Failed: holds no resources.</summary>
    public bool Finished { get; init; }
    public DateTimeOffset? StartTime { get; init; }

    public int? SpecPriority { get; init; }
    public string PriorityClassName { get; init; } = "";
    /// <summary>Resolved by the scheduler from <see cref="SpecPriority"/> or the priority classes.</summary>
    public int Priority { get; internal set; }
    /// <summary><c>preemptionPolicy: Never</c>.</summary>
    public bool NeverPreempts { get; init; }

    /// <summary>Effective request: max(sum of containers, largest init container) + overhead; <c>pods</c> = 1.</summary>
    public required ResourceList Requests { get; init; }
    /// <summary>cpu and memory with upstream's defaults for containers that request none (100m, 200Mi), for scoring.</summary>
    public long NonZeroMilliCpu { get; init; }
    public long NonZeroMemory { get; init; }

    public Toleration[] Tolerations { get; init; } = [];
    public (string Key, string Value)[] NodeSelector { get; init; } = [];
    /// <summary>Required node affinity terms (ORed); null when the pod has none.</summary>
    public NodeSelectorTerm[]? RequiredNodeAffinity { get; init; }
    public WeightedNodeSelectorTerm[] PreferredNodeAffinity { get; init; } = [];
    public HostPort[] HostPorts { get; init; } = [];

    public PodAffinityTerm[] RequiredAffinity { get; init; } = [];
    public PodAffinityTerm[] RequiredAntiAffinity { get; init; } = [];
    public PodAffinityTerm[] PreferredAffinity { get; init; } = [];
    public PodAffinityTerm[] PreferredAntiAffinity { get; init; } = [];
    /// <summary>Terms that count when other pods are scored (upstream scores required affinity with hardPodAffinityWeight; required anti-affinity not at all).</summary>
    public bool AffectsAffinityScores => RequiredAffinity.Length + PreferredAffinity.Length + PreferredAntiAffinity.Length > 0;

    public TopologySpreadConstraint[] SpreadConstraints { get; init; } = [];
    /// <summary>Container and init container images, tagged <c>:latest</c> when untagged as upstream's ImageLocality does.</summary>
    public string[] Images { get; init; } = [];

    /// <summary>True when the pod's node selector and required node affinity admit <paramref name="node"/>.</summary>
    public bool MatchesNodeSelectorAndAffinity(SchedulingNode node)
    {
        foreach (var (key, value) in NodeSelector)
        {
            if (!node.TryGetLabel(key, out var actual) || actual != value)
                return false;
        }
        if (RequiredNodeAffinity is not { } terms)
            return true;
        foreach (var term in terms)
        {
            if (term.Matches(node))
                return true;
        }
        return false;
    }

    /// <summary>The same pod bound to <paramref name="nodeName"/>, as the scheduler assumes it after choosing.</summary>
    internal SchedulingPod WithNodeName(string nodeName) => new()
    {
        Namespace = Namespace, Name = Name, Uid = Uid, Labels = Labels, LabelMap = LabelMap, NodeName = nodeName, SchedulerName = SchedulerName,
        NominatedNodeName = "", Terminating = Terminating, Finished = Finished, StartTime = StartTime,
        SpecPriority = SpecPriority, PriorityClassName = PriorityClassName, Priority = Priority, NeverPreempts = NeverPreempts,
        Requests = Requests, NonZeroMilliCpu = NonZeroMilliCpu, NonZeroMemory = NonZeroMemory, Tolerations = Tolerations,
        NodeSelector = NodeSelector, RequiredNodeAffinity = RequiredNodeAffinity, PreferredNodeAffinity = PreferredNodeAffinity,
        HostPorts = HostPorts, RequiredAffinity = RequiredAffinity, RequiredAntiAffinity = RequiredAntiAffinity,
        PreferredAffinity = PreferredAffinity, PreferredAntiAffinity = PreferredAntiAffinity,
        SpreadConstraints = SpreadConstraints, Images = Images,
    };
}

/// <summary>The identity of a pod as the host's binder, evictor and reporter need it.</summary>
public readonly record struct PodRef(string Namespace, string Name, string Uid)
{
    public override string ToString() => Namespace + "/" + Name;
}
