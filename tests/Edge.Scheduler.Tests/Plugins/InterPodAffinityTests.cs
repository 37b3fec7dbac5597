using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class InterPodAffinityTests
{
    static JsonObject WithAffinity(string name, string kind, string app, string topologyKey = "zone", string ns = "default", string? namespacesJson = null) =>
        TestCluster.Pod(name, ns: ns, labels: Labels(("app", name)), spec: new JsonObject
        {
            ["affinity"] = JsonNode.Parse(
                "{\"" + kind + "\":{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":{\"app\":\"" + app +
                "\"}},\"topologyKey\":\"" + topologyKey + "\"" + (namespacesJson is null ? "" : ",\"namespaces\":" + namespacesJson) + "}]}}"),
        });

    static JsonObject Zone(string name, string zone) => TestCluster.Node(name, labels: Labels(("zone", zone)));

    static Dictionary<string, string?> Filter(JsonObject incoming, params (JsonObject Node, JsonObject[] Pods)[] nodes)
    {
        var cluster = Cluster(nodes);
        var plugin = new InterPodAffinityPlugin();
        var state = new CycleState();
        var pod = Pod(incoming);
        plugin.PreFilter(state, pod, cluster);
        return cluster.Nodes.ToDictionary(n => n.Name, n => plugin.Filter(state, pod, n).Reasons.FirstOrDefault());
    }

    [Fact]
    public void Filter_AntiAffinity_RejectsZoneWithMatchingPod()
    {
        var result = Filter(WithAffinity("p", "podAntiAffinity", "db"),
            (Zone("a1", "a"), [TestCluster.Pod("db", labels: Labels(("app", "db")))]),
            (Zone("a2", "a"), []),
            (Zone("b1", "b"), []));
        Assert.Equal("node(s) didn't match pod anti-affinity rules", result["a1"]);
        Assert.Equal("node(s) didn't match pod anti-affinity rules", result["a2"]);
        Assert.Null(result["b1"]);
    }

    [Fact]
    public void Filter_Affinity_RequiresZoneWithMatchingPod()
    {
        var result = Filter(WithAffinity("p", "podAffinity", "db"),
            (Zone("a1", "a"), [TestCluster.Pod("db", labels: Labels(("app", "db")))]),
            (Zone("a2", "a"), []),
            (Zone("b1", "b"), []));
        Assert.Null(result["a1"]);
        Assert.Null(result["a2"]);
        Assert.Equal("node(s) didn't match pod affinity rules", result["b1"]);
    }

    [Fact]
    public void Filter_AffinityToItself_FirstPodGoesAnywhere()
    {
        var result = Filter(WithAffinity("p", "podAffinity", "p"), (Zone("a1", "a"), []), (TestCluster.Node("bare"), []));
        Assert.Null(result["a1"]);
        Assert.Equal("node(s) didn't match pod affinity rules", result["bare"]);
    }

    [Fact]
    public void Filter_ExistingPodAntiAffinity_RejectsIncomingItSelects()
    {
        var result = Filter(TestCluster.Pod("web", labels: Labels(("app", "web"))),
            (Zone("a1", "a"), [WithAffinity("guard", "podAntiAffinity", "web", "kubernetes.io/hostname")]),
            (Zone("a2", "a"), []));
        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", result["a1"]);
        Assert.Null(result["a2"]);
    }

    [Fact]
    public void Filter_OtherNamespace_NotSelectedByDefault()
    {
        var result = Filter(WithAffinity("p", "podAntiAffinity", "db"),
            (Zone("a1", "a"), [TestCluster.Pod("db", ns: "other", labels: Labels(("app", "db")))]));
        Assert.Null(result["a1"]);
        result = Filter(WithAffinity("p", "podAntiAffinity", "db", namespacesJson: """["other"]"""),
            (Zone("a1", "a"), [TestCluster.Pod("db", ns: "other", labels: Labels(("app", "db")))]));
        Assert.NotNull(result["a1"]);
    }
}
