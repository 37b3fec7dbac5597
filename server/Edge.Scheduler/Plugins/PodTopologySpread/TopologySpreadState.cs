using Edge.Scheduler.Cache;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>Per-cycle counts of matching pods per domain for each DoNotSchedule constraint, and each constraint's global minimum.</summary>
internal sealed class TopologySpreadState
{
    public required TopologySpreadConstraint[] Constraints { get; init; }
    public required Dictionary<string, int>[] Counts { get; init; }
    /// <summary>1 when the incoming pod matches the constraint's own selector (it will count once placed).</summary>
    public required int[] SelfMatch { get; init; }
    public int[] Minimum { get; private set; } = [];

    public void ComputeMinimum()
    {
        var minimum = new int[Constraints.Length];
        for (var i = 0; i < Constraints.Length; i++)
        {
            // Fewer domains than minDomains: the missing ones count as empty.
            if (Counts[i].Count == 0 || Counts[i].Count < Constraints[i].MinDomains)
                continue;
            var min = int.MaxValue;
            foreach (var count in Counts[i].Values)
                min = Math.Min(min, count);
            minimum[i] = min;
        }
        Minimum = minimum;
    }

    public TopologySpreadState Clone()
    {
        var copy = new TopologySpreadState
        {
            Constraints = Constraints,
            Counts = Counts.Select(c => new Dictionary<string, int>(c, StringComparer.Ordinal)).ToArray(),
            SelfMatch = SelfMatch,
        };
        copy.Minimum = Minimum;
        return copy;
    }

    /// <summary>Counts (delta 1) or uncounts (delta -1) <paramref name="other"/> on <paramref name="node"/> for preemption's what-ifs.</summary>
    public void Update(SchedulingPod pod, SchedulingPod other, NodeInfo node, int delta)
    {
        if (other.Terminating || other.Namespace != pod.Namespace || !TopologySpreadPlugin.HasAllKeys(Constraints, node.Node))
            return;
        for (var i = 0; i < Constraints.Length; i++)
        {
            if (TopologySpreadPlugin.Includes(Constraints[i], pod, node.Node) && Constraints[i].Selector.Matches(other) && node.Node.TryGetLabel(Constraints[i].TopologyKey, out var value))
                Counts[i][value] = Counts[i].GetValueOrDefault(value) + delta;
        }
        ComputeMinimum();
    }
}
