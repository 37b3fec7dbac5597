using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// Filter: <c>spec.nodeSelector</c> and the required node affinity terms (ORed; expressions and
/// fields within a term ANDed). Score: the sum of the weights of the preferred terms that match.
/// </summary>
internal sealed class NodeAffinityPlugin : IFilterPlugin, IScorePlugin
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";
    static readonly Status Mismatch = Status.Unresolvable(Reason);

    public string Name => "NodeAffinity";

    public int Weight => 2;

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node) =>
        pod.MatchesNodeSelectorAndAffinity(node.Node) ? Status.Success : Mismatch;

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster) =>
        pod.PreferredNodeAffinity.Length > 0;

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        long score = 0;
        foreach (var (weight, term) in pod.PreferredNodeAffinity)
        {
            if (weight != 0 && term.Matches(node.Node))
                score += weight;
        }
        return score;
    }

    public void Normalize(CycleState state, Span<long> scores) => ScoreNormalization.Default(scores, reverse: false);
}
