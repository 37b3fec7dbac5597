using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// DoNotSchedule constraints as a filter: placing the pod must not make its domain exceed the
/// least populated eligible domain by more than maxSkew. Eligible nodes match the pod's node
/// selector and affinity (nodeAffinityPolicy Honor), optionally its tolerations
/// (nodeTaintsPolicy Honor), and carry every constraint's topology key; nodes without a key
/// are rejected outright.
/// </summary>
internal sealed partial class TopologySpreadPlugin : IPreFilterPlugin, IFilterPlugin, IPreFilterExtensions
{
    public const string Reason = "node(s) didn't match pod topology spread constraints";
    public const string MissingLabelReason = Reason + " (missing required label)";
    static readonly Status SkewStatus = Status.Unschedulable(Reason);
    static readonly Status MissingLabelStatus = Status.Unresolvable(MissingLabelReason);

    public string Name => "PodTopologySpread";

    public Status PreFilter(CycleState state, SchedulingPod pod, ClusterState cluster)
    {
        state.TopologySpread = null;
        var constraints = pod.SpreadConstraints.Where(c => c.Hard).ToArray();
        if (constraints.Length == 0)
            return Status.Success;
        var counts = new Dictionary<string, int>[constraints.Length];
        var missing = new List<int>();
        for (var i = 0; i < constraints.Length; i++)
        {
            if (cluster.SpreadCounts.Get(pod, constraints[i], constraints, cluster) is { } cached)
                counts[i] = cached;
            else
                missing.Add(i);
        }
        if (missing.Count > 0)
            CountAll(pod, constraints, counts, missing, cluster);
        var result = new TopologySpreadState
        {
            Constraints = constraints,
            Counts = counts,
            SelfMatch = constraints.Select(c => c.Selector.Matches(pod) ? 1 : 0).ToArray(),
        };
        result.ComputeMinimum();
        state.TopologySpread = result;
        return Status.Success;
    }

    /// <summary>Upstream's walk over every node, for constraints the shared cache does not cover.</summary>
    static void CountAll(SchedulingPod pod, TopologySpreadConstraint[] constraints, Dictionary<string, int>[] counts, List<int> which, ClusterState cluster)
    {
        foreach (var i in which)
            counts[i] = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            if (!HasAllKeys(constraints, node.Node))
                continue;
            foreach (var i in which)
            {
                if (!Includes(constraints[i], pod, node.Node))
                    continue;
                node.Node.TryGetLabel(constraints[i].TopologyKey, out var value);
                counts[i][value!] = counts[i].GetValueOrDefault(value!) + CountMatching(node.Pods, constraints[i], pod.Namespace);
            }
        }
    }

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        if (state.TopologySpread is not { } spread)
            return Status.Success;
        for (var i = 0; i < spread.Constraints.Length; i++)
        {
            var constraint = spread.Constraints[i];
            if (!node.Node.TryGetLabel(constraint.TopologyKey, out var value))
                return MissingLabelStatus;
            var skew = spread.Counts[i].GetValueOrDefault(value) + spread.SelfMatch[i] - spread.Minimum[i];
            if (skew > constraint.MaxSkew)
                return SkewStatus;
        }
        return Status.Success;
    }

    public void AddPod(CycleState state, SchedulingPod pod, SchedulingPod added, NodeInfo node) =>
        state.TopologySpread?.Update(pod, added, node, 1);

    public void RemovePod(CycleState state, SchedulingPod pod, SchedulingPod removed, NodeInfo node) =>
        state.TopologySpread?.Update(pod, removed, node, -1);

    /// <summary>Upstream counts only nodes that carry the topology keys of all the constraints.</summary>
    internal static bool HasAllKeys(TopologySpreadConstraint[] constraints, SchedulingNode node)
    {
        foreach (var constraint in constraints)
        {
            if (!node.TryGetLabel(constraint.TopologyKey, out _))
                return false;
        }
        return true;
    }

    /// <summary>The constraint's node inclusion policies (nodeAffinityPolicy, nodeTaintsPolicy).</summary>
    internal static bool Includes(TopologySpreadConstraint constraint, SchedulingPod pod, SchedulingNode node)
    {
        if (constraint.HonorNodeAffinity && !pod.MatchesNodeSelectorAndAffinity(node))
            return false;
        if (constraint.HonorNodeTaints)
        {
            foreach (var taint in node.Taints)
            {
                if (taint.Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute && !Toleration.AnyTolerates(pod.Tolerations, taint))
                    return false;
            }
        }
        return true;
    }

    /// <summary>Pods in the namespace the selector selects, not counting those being deleted.</summary>
    internal static int CountMatching(List<SchedulingPod> pods, TopologySpreadConstraint constraint, string ns)
    {
        var count = 0;
        foreach (var pod in pods)
        {
            if (!pod.Terminating && pod.Namespace == ns && constraint.Selector.Matches(pod))
                count++;
        }
        return count;
    }
}
