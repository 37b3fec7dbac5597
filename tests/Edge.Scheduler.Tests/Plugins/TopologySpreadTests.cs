using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class TopologySpreadTests
{
    static JsonObject App(string name) => TestCluster.Pod(name, labels: Labels(("app", "web")));

    static JsonObject Spread(string name, int maxSkew = 1, string when = "DoNotSchedule", int? minDomains = null, JsonObject? nodeSelector = null)
    {
        var constraint = new JsonObject
        {
            ["maxSkew"] = maxSkew,
            ["topologyKey"] = "zone",
            ["whenUnsatisfiable"] = when,
            ["labelSelector"] = new JsonObject { ["matchLabels"] = Labels(("app", "web")) },
        };
        if (minDomains is { } m)
            constraint["minDomains"] = m;
        var spec = new JsonObject { ["topologySpreadConstraints"] = new JsonArray(constraint) };
        if (nodeSelector is not null)
            spec["nodeSelector"] = nodeSelector;
        return TestCluster.Pod(name, labels: Labels(("app", "web")), spec: spec);
    }

    static JsonObject Zone(string name, string zone, params (string, string)[] more) =>
        TestCluster.Node(name, labels: Labels([("zone", zone), .. more]));

    static Dictionary<string, bool> Fits(JsonObject incoming, params (JsonObject Node, JsonObject[] Pods)[] nodes)
    {
        var cluster = Cluster(nodes);
        var plugin = new TopologySpreadPlugin();
        var state = new CycleState();
        var pod = Pod(incoming);
        plugin.PreFilter(state, pod, cluster);
        return cluster.Nodes.ToDictionary(n => n.Name, n => plugin.Filter(state, pod, n).IsSuccess);
    }

    [Fact]
    public void Filter_SkewWouldExceed_RejectsFullerZone()
    {
        var fits = Fits(Spread("p"),
            (Zone("a1", "a"), [App("x1"), App("x2")]),
            (Zone("b1", "b"), [App("y1")]),
            (Zone("c1", "c"), [App("z1")]));
        Assert.False(fits["a1"]);
        Assert.True(fits["b1"]);
        Assert.True(fits["c1"]);
    }

    [Fact]
    public void Filter_MaxSkewTwo_AllowsOneAhead()
    {
        var fits = Fits(Spread("p", maxSkew: 2), (Zone("a1", "a"), [App("x1")]), (Zone("b1", "b"), []));
        Assert.True(fits["a1"]);
        Assert.True(fits["b1"]);
    }

    [Fact]
    public void Filter_NodeWithoutKey_RejectedAsMissingLabel()
    {
        var cluster = Cluster((Zone("a1", "a"), []), (TestCluster.Node("bare"), []));
        var plugin = new TopologySpreadPlugin();
        var state = new CycleState();
        var pod = Pod(Spread("p"));
        plugin.PreFilter(state, pod, cluster);
        var status = plugin.Filter(state, pod, cluster.Node("bare")!);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal(["node(s) didn't match pod topology spread constraints (missing required label)"], status.Reasons);
    }

    [Fact]
    public void Filter_MinDomainsNotReached_GlobalMinimumIsZero()
    {
        // Two zones each with one pod: without minDomains either fits; with minDomains 3 the
        // minimum counts as 0 so a second pod in a zone (skew 2) is refused.
        var nodes = new[] { (Zone("a1", "a"), new[] { App("x1") }), (Zone("b1", "b"), new[] { App("y1") }) };
        Assert.True(Fits(Spread("p"), nodes)["a1"]);
        nodes = [(Zone("a1", "a"), [App("x1")]), (Zone("b1", "b"), [App("y1")])];
        Assert.False(Fits(Spread("p", minDomains: 3), nodes)["a1"]);
    }

    [Fact]
    public void Filter_NodeAffinityPolicyHonor_IgnoresExcludedNodes()
    {
        // Zone c holds no pods but the pod's nodeSelector excludes it, so it does not pull the minimum down.
        var fits = Fits(Spread("p", nodeSelector: Labels(("pool", "x"))),
            (Zone("a1", "a", ("pool", "x")), [App("x1")]),
            (Zone("b1", "b", ("pool", "x")), [App("y1")]),
            (Zone("c1", "c"), []));
        Assert.True(fits["a1"]);
    }

    [Fact]
    public void Filter_ScheduleAnyway_NotAFilter()
    {
        var fits = Fits(Spread("p", when: "ScheduleAnyway"), (Zone("a1", "a"), [App("x1"), App("x2")]), (Zone("b1", "b"), []));
        Assert.True(fits["a1"]);
    }

    [Fact]
    public void Score_ScheduleAnyway_PrefersEmptierZone()
    {
        var cluster = Cluster((Zone("a1", "a"), [App("x1"), App("x2")]), (Zone("b1", "b"), [App("y1")]), (Zone("c1", "c"), []));
        var plugin = new TopologySpreadPlugin();
        var state = new CycleState();
        var pod = Pod(Spread("p", when: "ScheduleAnyway"));
        Assert.True(plugin.PreScore(state, pod, cluster.Nodes, cluster));
        Span<long> scores = cluster.Nodes.Select(n => plugin.Score(state, pod, n)).ToArray();
        plugin.Normalize(state, scores);
        Assert.True(scores[2] > scores[1]);
        Assert.True(scores[1] > scores[0]);
    }
}
