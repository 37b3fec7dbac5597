using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class ImageLocalityTests
{
    const long Mb = 1024 * 1024;

    static JsonArray Images(params (string Name, long Size)[] images) =>
        new(images.Select(i => (JsonNode)new JsonObject { ["names"] = new JsonArray(JsonValue.Create(i.Name)), ["sizeBytes"] = i.Size }).ToArray());

    [Fact]
    public void Score_ImagePresent_OrdersByPresenceAndSpread()
    {
        // "big" is on a and b, "small" on a only; c has nothing.
        var cluster = Cluster(
            (TestCluster.Node("a", images: Images(("app:1", 500 * Mb), ("side:1", 300 * Mb))), []),
            (TestCluster.Node("b", images: Images(("app:1", 500 * Mb))), []),
            (TestCluster.Node("c"), []));
        var pod = Pod(TestCluster.Pod("p", spec: new JsonObject
        {
            ["containers"] = JsonNode.Parse("""[{"name":"a","image":"app:1"},{"name":"b","image":"side:1"}]"""),
        }));
        var plugin = new ImageLocalityPlugin();
        var state = new CycleState();
        Assert.True(plugin.PreScore(state, pod, cluster.Nodes, cluster));
        var scores = cluster.Nodes.Select(n => plugin.Score(state, pod, n)).ToArray();
        Assert.True(scores[0] > scores[1]);
        Assert.True(scores[1] > scores[2]);
        Assert.Equal(0, scores[2]);
        // b: 500 MiB × 2/3 spread = 333 MiB against thresholds 23 MiB..2000 MiB.
        Assert.Equal(100 * (500 * Mb * 2 / 3 - 23 * Mb) / (2000 * Mb - 23 * Mb), scores[1]);
    }

    [Fact]
    public void Score_UntaggedPodImage_MatchesLatest()
    {
        var cluster = Cluster((TestCluster.Node("a", images: Images(("nginx:latest", 800 * Mb))), []));
        var pod = Pod(TestCluster.Pod("p", spec: new JsonObject { ["containers"] = JsonNode.Parse("""[{"name":"a","image":"nginx"}]""") }));
        var plugin = new ImageLocalityPlugin();
        var state = new CycleState();
        plugin.PreScore(state, pod, cluster.Nodes, cluster);
        Assert.True(plugin.Score(state, pod, cluster.Nodes[0]) > 0);
    }

    [Fact]
    public void Priority_BelowMinThreshold_IsZero()
    {
        Assert.Equal(0, ImageLocalityPlugin.Priority(10 * Mb, 1));
        Assert.Equal(100, ImageLocalityPlugin.Priority(5000 * Mb, 1));
    }
}
