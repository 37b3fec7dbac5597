using System.Collections.Concurrent;
using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// Filter: every NoSchedule and NoExecute taint must be tolerated. Score: fewer untolerated
/// PreferNoSchedule taints is better.
/// </summary>
internal sealed class TaintTolerationPlugin : IFilterPlugin, IScorePlugin
{
    // The taint text varies, but a cluster has few distinct taints: one status each.
    readonly ConcurrentDictionary<Taint, Status> _statuses = new();

    public string Name => "TaintToleration";

    public int Weight => 3;

    public Status Filter(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        foreach (var taint in node.Node.Taints)
        {
            if (taint.Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute && !Toleration.AnyTolerates(pod.Tolerations, taint))
                return _statuses.GetOrAdd(taint, static t => Status.Unresolvable(t.UntoleratedReason));
        }
        return Status.Success;
    }

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster) => true;

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        long count = 0;
        foreach (var taint in node.Node.Taints)
        {
            if (taint.Effect != TaintEffect.PreferNoSchedule)
                continue;
            var tolerated = false;
            foreach (var toleration in pod.Tolerations)
            {
                // Upstream scores with the tolerations whose effect is PreferNoSchedule or empty only.
                if (toleration.Effect is null or TaintEffect.PreferNoSchedule && toleration.Tolerates(taint))
                {
                    tolerated = true;
                    break;
                }
            }
            if (!tolerated)
                count++;
        }
        return count;
    }

    public void Normalize(CycleState state, Span<long> scores) => ScoreNormalization.Default(scores, reverse: true);
}
