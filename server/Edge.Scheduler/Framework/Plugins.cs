using Edge.Scheduler.Cache;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Framework;

/// <summary>Computes per-cycle state once before the filters run on each node.</summary>
internal interface IPreFilterPlugin
{
    Status PreFilter(CycleState state, SchedulingPod pod, ClusterState cluster);
}

/// <summary>Decides whether a pod fits a node; "doesn't fit" is a <see cref="Status"/>, never an exception.</summary>
internal interface IFilterPlugin
{
    string Name { get; }

    Status Filter(CycleState state, SchedulingPod pod, NodeInfo node);
}

/// <summary>Keeps a plugin's pre-filter state right while preemption adds and removes pods on a node (upstream PreFilterExtensions).</summary>
internal interface IPreFilterExtensions
{
    void AddPod(CycleState state, SchedulingPod pod, SchedulingPod added, NodeInfo node);

    void RemovePod(CycleState state, SchedulingPod pod, SchedulingPod removed, NodeInfo node);
}

internal interface IScorePlugin
{
    string Name { get; }

    int Weight { get; }

    /// <summary>Prepares the cycle's score state; false skips the plugin for this pod (upstream's Skip).</summary>
    bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster);

    long Score(CycleState state, SchedulingPod pod, NodeInfo node);

    /// <summary>Maps the raw scores of the feasible nodes to 0–100 in place.</summary>
    void Normalize(CycleState state, Span<long> scores);
}

internal static class ScoreNormalization
{
    public const long MaxNodeScore = 100;

    /// <summary>Upstream <c>DefaultNormalizeScore</c>: scale to the maximum; reversed, fewer is better.</summary>
    public static void Default(Span<long> scores, bool reverse)
    {
        long max = 0;
        foreach (var score in scores)
            max = Math.Max(max, score);
        if (max == 0)
        {
            if (reverse)
                scores.Fill(MaxNodeScore);
            return;
        }
        for (var i = 0; i < scores.Length; i++)
        {
            var scaled = MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? MaxNodeScore - scaled : scaled;
        }
    }
}
