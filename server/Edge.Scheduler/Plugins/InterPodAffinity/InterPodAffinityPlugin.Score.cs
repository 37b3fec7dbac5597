using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>Per-cycle score of each topology domain: key → value → summed term weights.</summary>
internal sealed class InterPodAffinityScoreState
{
    public Dictionary<string, Dictionary<string, long>> Scores { get; } = new(StringComparer.Ordinal);

    public void Add(string key, string value, long weight)
    {
        if (!Scores.TryGetValue(key, out var values))
            Scores[key] = values = new(StringComparer.Ordinal);
        values[value] = values.GetValueOrDefault(value) + weight;
    }
}

internal sealed partial class InterPodAffinityPlugin : IScorePlugin
{
    // Upstream's hardPodAffinityWeight: an existing pod's required affinity to the incoming pod also attracts it.
    const int HardPodAffinityWeight = 1;

    public int Weight => 2;

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster)
    {
        var scores = new InterPodAffinityScoreState();
        var incomingHasPreferred = pod.PreferredAffinity.Length + pod.PreferredAntiAffinity.Length > 0;
        foreach (var node in incomingHasPreferred ? cluster.Nodes : (IEnumerable<NodeInfo>)cluster.NodesWithAffinity)
        {
            var pods = incomingHasPreferred ? node.Pods : node.PodsWithAffinity;
            foreach (var existing in pods)
            {
                foreach (var term in pod.PreferredAffinity)
                    Score(scores, term, existing, node.Node, term.Weight);
                foreach (var term in pod.PreferredAntiAffinity)
                    Score(scores, term, existing, node.Node, -term.Weight);
                if (!existing.AffectsAffinityScores)
                    continue;
                foreach (var term in existing.PreferredAffinity)
                    Score(scores, term, pod, node.Node, term.Weight);
                foreach (var term in existing.PreferredAntiAffinity)
                    Score(scores, term, pod, node.Node, -term.Weight);
                foreach (var term in existing.RequiredAffinity)
                    Score(scores, term, pod, node.Node, HardPodAffinityWeight);
            }
        }
        state.InterPodAffinityScore = scores;
        return scores.Scores.Count > 0;
    }

    /// <summary>Adds <paramref name="weight"/> to the domain of <paramref name="node"/> when <paramref name="term"/> selects <paramref name="target"/>.</summary>
    static void Score(InterPodAffinityScoreState scores, PodAffinityTerm term, SchedulingPod target, SchedulingNode node, long weight)
    {
        if (weight != 0 && term.Matches(target) && node.TryGetLabel(term.TopologyKey, out var value))
            scores.Add(term.TopologyKey, value, weight);
    }

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        long score = 0;
        foreach (var (key, values) in state.InterPodAffinityScore!.Scores)
        {
            if (node.Node.TryGetLabel(key, out var value))
                score += values.GetValueOrDefault(value);
        }
        return score;
    }

    public void Normalize(CycleState state, Span<long> scores)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var score in scores)
        {
            min = Math.Min(min, score);
            max = Math.Max(max, score);
        }
        var range = max - min;
        for (var i = 0; i < scores.Length; i++)
            scores[i] = range > 0 ? (long)(ScoreNormalization.MaxNodeScore * ((double)(scores[i] - min) / range)) : 0;
    }
}
