using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler.Plugins;

/// <summary>
/// Prefers nodes that already hold the pod's images (an offline site may not be able to pull
/// them at all). As upstream: each present image counts its size scaled by the share of nodes
/// that have it, so that one node holding a rare image does not attract every pod; the sum is
/// clamped between 23 MiB and 1000 MiB per container and mapped to 0–100.
/// </summary>
internal sealed class ImageLocalityPlugin : IScorePlugin
{
    const long Mb = 1024 * 1024;
    const long MinThreshold = 23 * Mb;
    const long MaxContainerThreshold = 1000 * Mb;

    // A node's score depends only on the pod's images and on the nodes (sizes, spread), so it is
    // remembered per image list until a node changes: replicas of a workload share it.
    const int MaxImageLists = 256;
    readonly Dictionary<string, long[]> _scores = new(StringComparer.Ordinal);
    long _generation = -1;
    // Per cycle: the share of nodes holding each of the pod's images, and the remembered scores.
    double[] _spread = [];
    long[] _current = [];

    public string Name => "ImageLocality";

    public int Weight => 1;

    public bool PreScore(CycleState state, SchedulingPod pod, List<NodeInfo> feasible, ClusterState cluster)
    {
        if (pod.Images.Length == 0)
            return false;
        if (_generation != cluster.NodeGeneration || _scores.Count >= MaxImageLists)
        {
            _scores.Clear();
            _generation = cluster.NodeGeneration;
        }
        var key = pod.Images.Length == 1 ? pod.Images[0] : string.Join('\n', pod.Images);
        if (!_scores.TryGetValue(key, out var scores))
        {
            scores = new long[cluster.Nodes.Count];
            Array.Fill(scores, -1);
            _scores[key] = scores;
        }
        _current = scores;
        _spread = pod.Images.Select(image => (double)cluster.ImageNodeCount(image) / cluster.Nodes.Count).ToArray();
        return true;
    }

    public long Score(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        if (_current[node.Index] is >= 0 and var known)
            return known;
        long sum = 0;
        var images = pod.Images;
        for (var i = 0; i < images.Length; i++)
        {
            if (node.Node.Images.TryGetValue(images[i], out var size))
                sum += (long)(size * _spread[i]);
        }
        return _current[node.Index] = Priority(sum, pod.Images.Length);
    }

    public void Normalize(CycleState state, Span<long> scores)
    {
    }

    internal static long Priority(long sum, int containers)
    {
        var max = MaxContainerThreshold * containers;
        sum = Math.Clamp(sum, MinThreshold, max);
        return ScoreNormalization.MaxNodeScore * (sum - MinThreshold) / (max - MinThreshold);
    }
}
