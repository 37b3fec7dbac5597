using Edge.Scheduler.Plugins;

namespace Edge.Scheduler.Framework;

/// <summary>
/// State the expensive plugins compute once per scheduling cycle. Typed fields rather than a
/// keyed bag: the plugin set is fixed and lookups happen per node.
/// </summary>
internal sealed class CycleState
{
    public InterPodAffinityState? InterPodAffinity { get; set; }
    public TopologySpreadState? TopologySpread { get; set; }
    public InterPodAffinityScoreState? InterPodAffinityScore { get; set; }
    public TopologySpreadScoreState? TopologySpreadScore { get; set; }

    /// <summary>A copy whose filter state preemption can change for one candidate node.</summary>
    public CycleState CloneForFilters() => new()
    {
        InterPodAffinity = InterPodAffinity?.Clone(),
        TopologySpread = TopologySpread?.Clone(),
    };
}
