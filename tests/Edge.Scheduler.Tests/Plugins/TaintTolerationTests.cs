using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class TaintTolerationTests
{
    static Status Filter(JsonArray taints, JsonArray tolerations) =>
        new TaintTolerationPlugin().Filter(new CycleState(),
            Pod(TestCluster.Pod("p", spec: new JsonObject { ["tolerations"] = tolerations })),
            Info(TestCluster.Node("n", taints: taints)));

    static JsonObject Toleration(string? key, string op, string? value = null, string? effect = null)
    {
        var t = new JsonObject { ["operator"] = op };
        if (key is not null) t["key"] = key;
        if (value is not null) t["value"] = value;
        if (effect is not null) t["effect"] = effect;
        return t;
    }

    [Fact]
    public void Filter_UntoleratedNoSchedule_RejectsWithTaintText()
    {
        var status = Filter([TestCluster.Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")], []);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal(["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"], status.Reasons);
    }

    [Fact]
    public void Filter_UntoleratedNoExecute_Rejects()
    {
        Assert.False(Filter([TestCluster.Taint("k", "v", "NoExecute")], [Toleration("k", "Equal", "v", "NoSchedule")]).IsSuccess);
    }

    [Fact]
    public void Filter_PreferNoScheduleOnly_Accepts()
    {
        Assert.True(Filter([TestCluster.Taint("k", "v", "PreferNoSchedule")], []).IsSuccess);
    }

    [Theory]
    [InlineData("k", "Equal", "v", "NoSchedule", true)]
    [InlineData("k", "Equal", "other", "NoSchedule", false)]
    [InlineData("k", "Equal", "v", null, true)]
    [InlineData("k", "Equal", "v", "NoExecute", false)]
    [InlineData("k", "Exists", null, null, true)]
    [InlineData("other", "Exists", null, null, false)]
    [InlineData(null, "Exists", null, null, true)]
    [InlineData(null, "Exists", null, "NoExecute", false)]
    public void Filter_Toleration_MatchesAsUpstream(string? key, string op, string? value, string? effect, bool tolerated)
    {
        Assert.Equal(tolerated, Filter([TestCluster.Taint("k", "v", "NoSchedule")], [Toleration(key, op, value, effect)]).IsSuccess);
    }

    [Fact]
    public void Score_UntoleratedPreferNoSchedule_RanksLower()
    {
        var plugin = new TaintTolerationPlugin();
        var pod = Pod(TestCluster.Pod("p"));
        var clean = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("a")));
        var tainted = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("b", taints: [TestCluster.Taint("k", "", "PreferNoSchedule")])));
        Span<long> scores = [clean, tainted];
        plugin.Normalize(new CycleState(), scores);
        Assert.Equal(100, scores[0]);
        Assert.Equal(0, scores[1]);
    }

    [Fact]
    public void NodeUnschedulable_CordonedNode_NeedsToleration()
    {
        var plugin = new NodeUnschedulablePlugin();
        var node = Info(TestCluster.Node("n", unschedulable: true));
        Assert.Equal(["node(s) were unschedulable"], plugin.Filter(new CycleState(), Pod(TestCluster.Pod("p")), node).Reasons);
        var tolerant = Pod(TestCluster.Pod("p", spec: new JsonObject
        {
            ["tolerations"] = new JsonArray(Toleration("node.kubernetes.io/unschedulable", "Exists", effect: "NoSchedule")),
        }));
        Assert.True(plugin.Filter(new CycleState(), tolerant, node).IsSuccess);
    }
}
