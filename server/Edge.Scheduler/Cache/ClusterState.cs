using Edge.Scheduler.Model;

namespace Edge.Scheduler.Cache;

/// <summary>
/// The scheduler's view of the cluster: nodes with their pods (bound and assumed) and how many
/// nodes hold each image. Changed only under the scheduler's lock.
/// </summary>
internal sealed class ClusterState
{
    readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _imageNodeCounts = new(StringComparer.Ordinal);
    /// <summary>Pod key → node name, for every pod accounted on a node (including nodes not yet known).</summary>
    readonly Dictionary<string, (SchedulingPod Pod, string Node)> _boundPods = new(StringComparer.Ordinal);

    public List<NodeInfo> Nodes { get; } = [];

    /// <summary>Changes whenever a node is added, changed or removed, for caches of per-node facts.</summary>
    public long NodeGeneration { get; private set; }

    /// <summary>Nodes with pods that have any pod (anti-)affinity term: most pods only need to look at these.</summary>
    public HashSet<NodeInfo> NodesWithAffinity { get; } = [];

    public SpreadCountCache SpreadCounts { get; } = new();

    public AntiAffinityIndex ExistingAntiAffinity { get; } = new();

    /// <summary>Placed pods by label, so that a term pinning a label finds its pods without a walk over all of them.</summary>
    readonly Dictionary<string, HashSet<SchedulingPod>> _podsByLabel = new(StringComparer.Ordinal);

    public IEnumerable<SchedulingPod> PodsWithLabel(string key, string value) =>
        _podsByLabel.TryGetValue(LabelKey(key, value), out var pods) ? pods : [];

    /// <summary>Every placed pod with its node (pods on nodes not known yet are left out).</summary>
    public IEnumerable<(SchedulingPod Pod, NodeInfo Node)> PlacedPods()
    {
        foreach (var node in Nodes)
        {
            foreach (var pod in node.Pods)
                yield return (pod, node);
        }
    }

    static string LabelKey(string key, string value) => key + "\u0001" + value;

    void IndexLabels(SchedulingPod pod, bool add)
    {
        foreach (var (key, value) in pod.LabelMap ?? [])
        {
            var labelKey = LabelKey(key, value);
            if (add)
            {
                if (!_podsByLabel.TryGetValue(labelKey, out var pods))
                    _podsByLabel[labelKey] = pods = [];
                pods.Add(pod);
            }
            else if (_podsByLabel.TryGetValue(labelKey, out var pods) && pods.Remove(pod) && pods.Count == 0)
            {
                _podsByLabel.Remove(labelKey);
            }
        }
    }

    public int ImageNodeCount(string image) => _imageNodeCounts.GetValueOrDefault(image);

    public NodeInfo? Node(string name) => _nodes.GetValueOrDefault(name);

    public SchedulingPod? BoundPod(string key) => _boundPods.TryGetValue(key, out var entry) ? entry.Pod : null;

    public void AddOrUpdateNode(SchedulingNode node)
    {
        NodeGeneration++;
        if (_nodes.TryGetValue(node.Name, out var info))
        {
            CountImages(info.Node, -1);
            foreach (var pod in info.PodsWithRequiredAntiAffinity)
            {
                ExistingAntiAffinity.PodChanged(pod, info.Node, -1);
                ExistingAntiAffinity.PodChanged(pod, node, 1);
            }
            info.Node = node;
        }
        else
        {
            info = new NodeInfo(node) { Index = Nodes.Count };
            _nodes[node.Name] = info;
            Nodes.Add(info);
            // Pods the host reported before their node.
            foreach (var (pod, nodeName) in _boundPods.Values)
            {
                if (nodeName == node.Name)
                {
                    info.AddPod(pod);
                    ExistingAntiAffinity.PodChanged(pod, node, 1);
                }
            }
            Track(info);
        }
        CountImages(node, 1);
        SpreadCounts.Clear();
    }

    public bool RemoveNode(string name)
    {
        if (!_nodes.Remove(name, out var info))
            return false;
        NodeGeneration++;
        CountImages(info.Node, -1);
        NodesWithAffinity.Remove(info);
        foreach (var pod in info.PodsWithRequiredAntiAffinity)
            ExistingAntiAffinity.PodChanged(pod, info.Node, -1);
        SpreadCounts.Clear();
        var last = Nodes[^1];
        Nodes[info.Index] = last;
        last.Index = info.Index;
        Nodes.RemoveAt(Nodes.Count - 1);
        return true;
    }

    /// <summary>Accounts <paramref name="pod"/> on its node, replacing an earlier version of it.</summary>
    public void AddOrUpdatePod(SchedulingPod pod)
    {
        RemovePod(pod.Key);
        _boundPods[pod.Key] = (pod, pod.NodeName);
        IndexLabels(pod, add: true);
        if (Node(pod.NodeName) is not { } node)
            return;
        node.AddPod(pod);
        Track(node);
        SpreadCounts.PodChanged(pod, node, 1);
        ExistingAntiAffinity.PodChanged(pod, node.Node, 1);
    }

    public SchedulingPod? RemovePod(string key)
    {
        if (!_boundPods.Remove(key, out var entry))
            return null;
        IndexLabels(entry.Pod, add: false);
        if (Node(entry.Node) is { } node && node.RemovePod(key))
        {
            Track(node);
            SpreadCounts.PodChanged(entry.Pod, node, -1);
            ExistingAntiAffinity.PodChanged(entry.Pod, node.Node, -1);
        }
        return entry.Pod;
    }

    void Track(NodeInfo node)
    {
        if (node.PodsWithAffinity.Count > 0)
            NodesWithAffinity.Add(node);
        else
            NodesWithAffinity.Remove(node);
    }

    void CountImages(SchedulingNode node, int delta)
    {
        foreach (var image in node.Images.Keys)
        {
            var count = _imageNodeCounts.GetValueOrDefault(image) + delta;
            if (count <= 0)
                _imageNodeCounts.Remove(image);
            else
                _imageNodeCounts[image] = count;
        }
    }
}
