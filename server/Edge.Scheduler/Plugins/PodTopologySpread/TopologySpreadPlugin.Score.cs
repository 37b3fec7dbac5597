using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

internal sealed class TopologySpreadScoreState
{
    public required TopologySpreadConstraint[] Constraints { get; init; }
    public required Dictionary<string, int>[] Counts { get; init; }
    /// <summary>log(domains + 2), so that a constraint over many domains does not drown one over few.</summary>
    public required double[] Weights { get; init; }
}

/// <summary>
/// ScheduleAnyway constraints as a score, as upstream: fewer matching pods in the node's domain
/// is better; nodes without the topology keys score 0.
/// </summary>
internal sealed partial class TopologySpreadPlugin : IScorePlugin
{
    const string Hostname = "kubernetes.io/hostname";
    // Marks a node that lacks a topology key until normalization zeroes it.
    const long Ignored = -1;

    public int Weight => 2;

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster)
    {
        var constraints = pod.SpreadConstraints.Where(c => !c.Hard).ToArray();
        if (constraints.Length == 0)
            return false;
        var counts = constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var sizes = new int[constraints.Length];
        foreach (var node in feasible)
        {
            if (!HasAllKeys(constraints, node.Node))
                continue;
            for (var i = 0; i < constraints.Length; i++)
            {
                if (constraints[i].TopologyKey == Hostname)
                {
                    sizes[i]++;
                    continue;
                }
                node.Node.TryGetLabel(constraints[i].TopologyKey, out var value);
                if (counts[i].TryAdd(value!, 0))
                    sizes[i]++;
            }
        }
        // Only the domains of feasible nodes are counted; per-node domains are counted in Score.
        foreach (var node in cluster.Nodes)
        {
            if (!HasAllKeys(constraints, node.Node))
                continue;
            for (var i = 0; i < constraints.Length; i++)
            {
                if (constraints[i].TopologyKey == Hostname || !Includes(constraints[i], pod, node.Node))
                    continue;
                node.Node.TryGetLabel(constraints[i].TopologyKey, out var value);
                if (counts[i].TryGetValue(value!, out var count))
                    counts[i][value!] = count + CountMatching(node.Pods, constraints[i], pod.Namespace);
            }
        }
        state.TopologySpreadScore = new TopologySpreadScoreState
        {
            Constraints = constraints,
            Counts = counts,
            Weights = sizes.Select(size => Math.Log(size + 2)).ToArray(),
        };
        return true;
    }

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var spread = state.TopologySpreadScore!;
        if (!HasAllKeys(spread.Constraints, node.Node))
            return Ignored;
        double score = 0;
        for (var i = 0; i < spread.Constraints.Length; i++)
        {
            var constraint = spread.Constraints[i];
            node.Node.TryGetLabel(constraint.TopologyKey, out var value);
            var count = constraint.TopologyKey == Hostname
                ? CountMatching(node.Pods, constraint, pod.Namespace)
                : spread.Counts[i].GetValueOrDefault(value!);
            score += count * spread.Weights[i] + (constraint.MaxSkew - 1);
        }
        return (long)Math.Round(score);
    }

    public void Normalize(CycleState state, Span<long> scores)
    {
        long min = long.MaxValue, max = 0;
        foreach (var score in scores)
        {
            if (score == Ignored)
                continue;
            min = Math.Min(min, score);
            max = Math.Max(max, score);
        }
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] == Ignored)
                scores[i] = 0;
            else if (max == 0)
                scores[i] = ScoreNormalization.MaxNodeScore;
            else
                scores[i] = ScoreNormalization.MaxNodeScore * (max + min - scores[i]) / max;
        }
    }
}
