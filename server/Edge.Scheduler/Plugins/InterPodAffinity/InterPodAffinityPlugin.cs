using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// Required pod affinity and anti-affinity of the incoming pod, and the required anti-affinity
/// of the pods already placed against it, by topology domain.
/// </summary>
internal sealed partial class InterPodAffinityPlugin : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions
{
    public const string ExistingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string AffinityReason = "node(s) didn't match pod affinity rules";
    public const string AntiAffinityReason = "node(s) didn't match pod anti-affinity rules";
    static readonly Status ExistingAntiAffinityStatus = Status.Unschedulable(ExistingAntiAffinityReason);
    static readonly Status AffinityStatus = Status.Unresolvable(AffinityReason);
    static readonly Status AntiAffinityStatus = Status.Unschedulable(AntiAffinityReason);

    public string Name => "InterPodAffinity";

    public Status PreFilter(CycleState state, SchedulingPod pod, ClusterState cluster)
    {
        var result = new InterPodAffinityState { PodMatchesOwnAffinityTerms = pod.RequiredAffinity.Length > 0 && pod.RequiredAffinity.All(t => t.Matches(pod)) };
        foreach (var group in cluster.ExistingAntiAffinity.Groups)
        {
            if (!group.Term.Matches(pod))
                continue;
            foreach (var (pair, count) in group.Domains)
                result.ExistingAntiAffinity[pair] = result.ExistingAntiAffinity.GetValueOrDefault(pair) + count;
        }
        foreach (var term in pod.RequiredAffinity)
            CountTerm(term, result.Affinity, cluster);
        foreach (var term in pod.RequiredAntiAffinity)
            CountTerm(term, result.AntiAffinity, cluster);
        state.InterPodAffinity = result;
        return Status.Success;
    }

    /// <summary>Counts the placed pods <paramref name="term"/> selects by domain; a pinned label narrows the candidates.</summary>
    static void CountTerm(PodAffinityTerm term, Dictionary<TopologyPair, int> counts, ClusterState cluster)
    {
        if (term.Selector.PinnedLabel is { } pinned)
        {
            foreach (var existing in cluster.PodsWithLabel(pinned.Key, pinned.Value))
            {
                if (term.Matches(existing) && cluster.Node(existing.NodeName) is { } node && node.Node.TryGetLabel(term.TopologyKey, out var value))
                    InterPodAffinityState.Add(counts, new(term.TopologyKey, value), 1);
            }
            return;
        }
        foreach (var (existing, node) in cluster.PlacedPods())
        {
            if (term.Matches(existing) && node.Node.TryGetLabel(term.TopologyKey, out var value))
                InterPodAffinityState.Add(counts, new(term.TopologyKey, value), 1);
        }
    }

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var counts = state.InterPodAffinity!;
        if (counts.ExistingAntiAffinity.Count > 0)
        {
            foreach (var key in counts.ExistingAntiAffinityKeys)
            {
                if (node.Node.TryGetLabel(key, out var value) && counts.ExistingAntiAffinity.ContainsKey(new(key, value)))
                    return ExistingAntiAffinityStatus;
            }
        }
        if (pod.RequiredAffinity.Length > 0 && !SatisfiesAffinity(counts, pod, node.Node))
            return AffinityStatus;
        foreach (var term in pod.RequiredAntiAffinity)
        {
            if (node.Node.TryGetLabel(term.TopologyKey, out var value) && counts.AntiAffinity.ContainsKey(new(term.TopologyKey, value)))
                return AntiAffinityStatus;
        }
        return Status.Success;
    }

    static bool SatisfiesAffinity(InterPodAffinityState counts, SchedulingPod pod, SchedulingNode node)
    {
        var podsExist = true;
        foreach (var term in pod.RequiredAffinity)
        {
            if (!node.TryGetLabel(term.TopologyKey, out var value))
                return false;
            if (!counts.Affinity.ContainsKey(new(term.TopologyKey, value)))
                podsExist = false;
        }
        // The first pod of a group with affinity to itself: nothing matches anywhere yet, so it
        // may go to any node that has the topology labels, or it would wait forever.
        return podsExist || (counts.Affinity.Count == 0 && counts.PodMatchesOwnAffinityTerms);
    }

    public void AddPod(CycleState state, SchedulingPod pod, SchedulingPod added, NodeInfo node) =>
        state.InterPodAffinity?.Update(pod, added, node.Node, 1);

    public void RemovePod(CycleState state, SchedulingPod pod, SchedulingPod removed, NodeInfo node) =>
        state.InterPodAffinity?.Update(pod, removed, node.Node, -1);
}
