using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class NodeAffinityTests
{
    static bool Fits(string affinityTermsJson, JsonObject? nodeSelector = null)
    {
        var spec = new JsonObject
        {
            ["affinity"] = JsonNode.Parse("""{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":""" + affinityTermsJson + "}}}"),
        };
        if (nodeSelector is not null)
            spec["nodeSelector"] = nodeSelector;
        var node = Info(TestCluster.Node("n1", labels: Labels(("zone", "a"), ("cores", "8"), ("gpu", "yes"))));
        return new NodeAffinityPlugin().Filter(new CycleState(), Pod(TestCluster.Pod("p", spec: spec)), node).IsSuccess;
    }

    [Theory]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["b"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"gpu","operator":"DoesNotExist"}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"cores","operator":"Gt","values":["4"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"cores","operator":"Gt","values":["8"]}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"cores","operator":"Lt","values":["16"]}]}]""", true)]
    [InlineData("""[{"matchExpressions":[{"key":"cores","operator":"Lt","values":["x"]}]}]""", false)]
    [InlineData("""[{"matchFields":[{"key":"metadata.name","operator":"In","values":["n1"]}]}]""", true)]
    [InlineData("""[{"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n1"]}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]},{"key":"gpu","operator":"DoesNotExist"}]}]""", false)]
    [InlineData("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]},{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}]""", true)]
    [InlineData("""[{}]""", false)]
    [InlineData("""[]""", false)]
    public void Filter_RequiredTerms_OrTermsAndExpressions(string terms, bool fits)
    {
        Assert.Equal(fits, Fits(terms));
    }

    [Fact]
    public void Filter_NodeSelectorMismatch_RejectsWithUpstreamReason()
    {
        var pod = Pod(TestCluster.Pod("p", spec: new JsonObject { ["nodeSelector"] = Labels(("zone", "b")) }));
        var status = new NodeAffinityPlugin().Filter(new CycleState(), pod, Info(TestCluster.Node("n", labels: Labels(("zone", "a")))));
        Assert.Equal(["node(s) didn't match Pod's node affinity/selector"], status.Reasons);
    }

    [Fact]
    public void Filter_SelectorAndAffinity_BothRequired()
    {
        Assert.False(Fits("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]""", Labels(("gpu", "no"))));
        Assert.True(Fits("""[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]""", Labels(("gpu", "yes"))));
    }

    [Fact]
    public void Score_PreferredTerms_SumsMatchingWeights()
    {
        var pod = Pod(TestCluster.Pod("p", spec: new JsonObject
        {
            ["affinity"] = JsonNode.Parse("""
                {"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
                  {"weight":10,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}},
                  {"weight":5,"preference":{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}}]}}
                """),
        }));
        var plugin = new NodeAffinityPlugin();
        Span<long> scores =
        [
            plugin.Score(new CycleState(), pod, Info(TestCluster.Node("a", labels: Labels(("zone", "a"), ("gpu", "1"))))),
            plugin.Score(new CycleState(), pod, Info(TestCluster.Node("b", labels: Labels(("zone", "a"))))),
            plugin.Score(new CycleState(), pod, Info(TestCluster.Node("c"))),
        ];
        Assert.Equal([15L, 10, 0], scores.ToArray());
        plugin.Normalize(new CycleState(), scores);
        Assert.Equal([100L, 66, 0], scores.ToArray());
    }
}
