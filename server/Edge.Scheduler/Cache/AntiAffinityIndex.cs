using Edge.Scheduler.Model;
using Edge.Scheduler.Plugins;

namespace Edge.Scheduler.Cache;

/// <summary>
/// The required anti-affinity terms of placed pods, grouped by identical term (replicas of a
/// workload share one), each with the topology domains its pods occupy. Every incoming pod must
/// be checked against them; grouped, that is one selector match per workload instead of one per
/// pod, and no walk over the nodes.
/// </summary>
internal sealed class AntiAffinityIndex
{
    readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    internal sealed class Group(PodAffinityTerm term)
    {
        public PodAffinityTerm Term { get; } = term;
        public Dictionary<TopologyPair, int> Domains { get; } = [];
    }

    public IEnumerable<Group> Groups => _groups.Values;

    public void PodChanged(SchedulingPod pod, SchedulingNode node, int delta)
    {
        foreach (var term in pod.RequiredAntiAffinity)
        {
            if (!node.TryGetLabel(term.TopologyKey, out var value))
                continue;
            var signature = Signature(term);
            if (!_groups.TryGetValue(signature, out var group))
                _groups[signature] = group = new Group(term);
            var pair = new TopologyPair(term.TopologyKey, value);
            var count = group.Domains.GetValueOrDefault(pair) + delta;
            if (count > 0)
                group.Domains[pair] = count;
            else
                group.Domains.Remove(pair);
            if (group.Domains.Count == 0)
                _groups.Remove(signature);
        }
    }

    public void Clear() => _groups.Clear();

    static string Signature(PodAffinityTerm term) =>
        string.Join('\u0001', term.AllNamespaces ? "\u0002" : string.Join(',', term.Namespaces),
            term.Selector.ToString(), term.TopologyKey);
}
