using Edge.Scheduler.Cache;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>A topology domain: a node label key and one of its values.</summary>
internal readonly record struct TopologyPair(string Key, string Value);

/// <summary>Per-cycle counts of the pods that matter to the incoming pod's (anti-)affinity, by topology domain.</summary>
internal sealed class InterPodAffinityState
{
    /// <summary>Domains where an existing pod's required anti-affinity term selects the incoming pod.</summary>
    public Dictionary<TopologyPair, int> ExistingAntiAffinity { get; private init; } = [];
    /// <summary>Domains with pods matching the incoming pod's required affinity terms.</summary>
    public Dictionary<TopologyPair, int> Affinity { get; private init; } = [];
    /// <summary>Domains with pods matching the incoming pod's required anti-affinity terms.</summary>
    public Dictionary<TopologyPair, int> AntiAffinity { get; private init; } = [];
    public bool PodMatchesOwnAffinityTerms { get; init; }

    string[]? _existingAntiAffinityKeys;

    /// <summary>
    /// The topology keys of <see cref="ExistingAntiAffinity"/>: a node is checked with one label
    /// lookup per key rather than one per domain (hostname terms have a domain per node).
    /// </summary>
    public string[] ExistingAntiAffinityKeys =>
        _existingAntiAffinityKeys ??= ExistingAntiAffinity.Keys.Select(p => p.Key).Distinct().ToArray();

    public InterPodAffinityState Clone() => new()
    {
        ExistingAntiAffinity = new(ExistingAntiAffinity),
        Affinity = new(Affinity),
        AntiAffinity = new(AntiAffinity),
        PodMatchesOwnAffinityTerms = PodMatchesOwnAffinityTerms,
    };

    /// <summary>Counts (delta 1) or uncounts (delta -1) <paramref name="existing"/> on <paramref name="node"/>.</summary>
    public void Update(SchedulingPod pod, SchedulingPod existing, SchedulingNode node, int delta)
    {
        foreach (var term in existing.RequiredAntiAffinity)
        {
            if (term.Matches(pod) && node.TryGetLabel(term.TopologyKey, out var value))
            {
                Add(ExistingAntiAffinity, new(term.TopologyKey, value), delta);
                _existingAntiAffinityKeys = null;
            }
        }
        foreach (var term in pod.RequiredAffinity)
        {
            if (term.Matches(existing) && node.TryGetLabel(term.TopologyKey, out var value))
                Add(Affinity, new(term.TopologyKey, value), delta);
        }
        foreach (var term in pod.RequiredAntiAffinity)
        {
            if (term.Matches(existing) && node.TryGetLabel(term.TopologyKey, out var value))
                Add(AntiAffinity, new(term.TopologyKey, value), delta);
        }
    }

    public static void Add(Dictionary<TopologyPair, int> counts, TopologyPair pair, int delta)
    {
        var count = counts.GetValueOrDefault(pair) + delta;
        if (count <= 0)
            counts.Remove(pair);
        else
            counts[pair] = count;
    }
}
