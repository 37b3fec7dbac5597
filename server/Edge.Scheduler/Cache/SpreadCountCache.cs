using Edge.Scheduler.Model;

namespace Edge.Scheduler.Cache;

/// <summary>
/// Matching-pod counts per topology domain for the spread constraints pods keep asking about,
/// kept current as pods come and go. Without it every pod with a DoNotSchedule constraint walks
/// every node and pod of the cluster (upstream's PreFilter), which dominates at thousands of
/// nodes; replicas of one workload share an entry.
/// </summary>
internal sealed class SpreadCountCache
{
    // A bound on distinct workloads remembered; past it the cache starts over.
    const int MaxEntries = 512;

    readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    sealed class Entry
    {
        public required string Namespace { get; init; }
        public required TopologySpreadConstraint Constraint { get; init; }
        public required TopologySpreadConstraint[] AllConstraints { get; init; }
        public required (string Key, string Value)[]? NodeSelector { get; init; }
        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public bool Includes(SchedulingNode node)
        {
            foreach (var constraint in AllConstraints)
            {
                if (!node.TryGetLabel(constraint.TopologyKey, out _))
                    return false;
            }
            foreach (var (key, value) in NodeSelector ?? [])
            {
                if (!node.TryGetLabel(key, out var actual) || actual != value)
                    return false;
            }
            return true;
        }

        public void Count(SchedulingPod pod, NodeInfo node, int delta)
        {
            if (!pod.Terminating && pod.Namespace == Namespace && Includes(node.Node) && Constraint.Selector.Matches(pod))
            {
                node.Node.TryGetLabel(Constraint.TopologyKey, out var value);
                Counts[value!] = Counts.GetValueOrDefault(value!) + delta;
            }
        }
    }

    /// <summary>
    /// Counts for <paramref name="constraint"/> of <paramref name="pod"/> (among its hard
    /// constraints <paramref name="all"/>), or null when the pod's node eligibility is too
    /// particular to share (required node affinity, taint policy).
    /// </summary>
    public Dictionary<string, int>? Get(SchedulingPod pod, TopologySpreadConstraint constraint, TopologySpreadConstraint[] all, ClusterState cluster)
    {
        if (pod.RequiredNodeAffinity is not null || all.Any(c => c.HonorNodeTaints))
            return null;
        var nodeSelector = constraint.HonorNodeAffinity ? pod.NodeSelector : null;
        var signature = string.Join('\u0001',
            [pod.Namespace, constraint.Selector.ToString(), constraint.TopologyKey,
             string.Join(',', all.Select(c => c.TopologyKey)),
             nodeSelector is null ? "\u0002" : string.Join(',', nodeSelector.Select(kv => kv.Key + "=" + kv.Value))]);
        if (_entries.TryGetValue(signature, out var entry))
            return entry.Counts;
        if (_entries.Count >= MaxEntries)
            _entries.Clear();
        entry = new Entry { Namespace = pod.Namespace, Constraint = constraint, AllConstraints = all, NodeSelector = nodeSelector };
        foreach (var node in cluster.Nodes)
        {
            if (!entry.Includes(node.Node))
                continue;
            node.Node.TryGetLabel(constraint.TopologyKey, out var value);
            entry.Counts.TryAdd(value!, 0);
            foreach (var existing in node.Pods)
                entry.Count(existing, node, 1);
        }
        _entries[signature] = entry;
        return entry.Counts;
    }

    public void PodChanged(SchedulingPod pod, NodeInfo node, int delta)
    {
        foreach (var entry in _entries.Values)
            entry.Count(pod, node, delta);
    }

    /// <summary>Node labels decide domains and eligibility: any node change starts over.</summary>
    public void Clear() => _entries.Clear();
}
