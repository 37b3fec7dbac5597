using System.Text.Json.Nodes;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Plugins;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

public sealed class ResourcesAndPortsTests
{
    [Fact]
    public void Fit_EnoughRoom_Accepts()
    {
        var node = Info(TestCluster.Node("n", cpu: "1", memory: "1Gi"), TestCluster.Pod("a", cpu: "500m", memory: "512Mi"));
        Assert.True(new NodeResourcesFitPlugin().Filter(new CycleState(), Pod(TestCluster.Pod("p", cpu: "500m", memory: "512Mi")), node).IsSuccess);
    }

    [Fact]
    public void Fit_CpuAndMemoryShort_ReportsBoth()
    {
        var node = Info(TestCluster.Node("n", cpu: "1", memory: "1Gi"), TestCluster.Pod("a", cpu: "600m", memory: "600Mi"));
        var status = new NodeResourcesFitPlugin().Filter(new CycleState(), Pod(TestCluster.Pod("p", cpu: "500m", memory: "500Mi")), node);
        Assert.Equal(StatusCode.Unschedulable, status.Code);
        Assert.Equal(["Insufficient cpu", "Insufficient memory"], status.Reasons);
    }

    [Fact]
    public void Fit_PodCountReached_TooManyPods()
    {
        var node = Info(TestCluster.Node("n", pods: 1), TestCluster.Pod("a"));
        Assert.Equal(["Too many pods"], new NodeResourcesFitPlugin().Filter(new CycleState(), Pod(TestCluster.Pod("p")), node).Reasons);
    }

    [Fact]
    public void Fit_ExtendedResourceMissingOnNode_Insufficient()
    {
        var pod = Pod(TestCluster.Pod("p", spec: new JsonObject
        {
            ["containers"] = JsonNode.Parse("""[{"name":"c","resources":{"requests":{"example.com/gpu":"1"}}}]"""),
        }));
        Assert.Equal(["Insufficient example.com/gpu"], new NodeResourcesFitPlugin().Filter(new CycleState(), pod, Info(TestCluster.Node("n"))).Reasons);
    }

    [Fact]
    public void Fit_ZeroRequest_IgnoresFullCpu()
    {
        var node = Info(TestCluster.Node("n", cpu: "1"), TestCluster.Pod("a", cpu: "1"));
        Assert.True(new NodeResourcesFitPlugin().Filter(new CycleState(), Pod(TestCluster.Pod("p", cpu: "0")), node).IsSuccess);
    }

    [Fact]
    public void LeastAllocated_EmptierNode_ScoresHigher()
    {
        var plugin = new NodeResourcesFitPlugin();
        var pod = Pod(TestCluster.Pod("p", cpu: "1", memory: "1Gi"));
        var empty = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("a")));
        var busy = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("b"), TestCluster.Pod("x", cpu: "2", memory: "4Gi")));
        Assert.Equal(81, empty);
        Assert.True(busy < empty);
    }

    [Fact]
    public void BalancedAllocation_EvenUse_ScoresHigher()
    {
        var plugin = new BalancedAllocationPlugin();
        var pod = Pod(TestCluster.Pod("p", cpu: "1", memory: "2Gi"));
        var balanced = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("a")));
        var skewed = plugin.Score(new CycleState(), pod, Info(TestCluster.Node("b"), TestCluster.Pod("x", cpu: "2", memory: "0")));
        Assert.Equal(100, balanced);
        Assert.Equal(75, skewed);
    }

    static JsonObject PortPod(string name, int port, string protocol = "TCP", string? ip = null)
    {
        var p = new JsonObject { ["containerPort"] = 80, ["hostPort"] = port, ["protocol"] = protocol };
        if (ip is not null)
            p["hostIP"] = ip;
        return TestCluster.Pod(name, spec: new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["ports"] = new JsonArray(p) }) });
    }

    [Theory]
    [InlineData(8080, "TCP", null, false)]
    [InlineData(8081, "TCP", null, true)]
    [InlineData(8080, "UDP", null, true)]
    [InlineData(8080, "TCP", "10.0.0.2", false)]
    public void NodePorts_UsedWildcardPort_ConflictsByProtocolAndIp(int port, string protocol, string? ip, bool fits)
    {
        var node = Info(TestCluster.Node("n"), PortPod("a", 8080));
        var status = new NodePortsPlugin().Filter(new CycleState(), Pod(PortPod("p", port, protocol, ip)), node);
        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
            Assert.Equal(["node(s) didn't have free ports for the requested pod ports"], status.Reasons);
    }

    [Fact]
    public void NodePorts_DifferentSpecificIps_DoNotConflict()
    {
        var node = Info(TestCluster.Node("n"), PortPod("a", 8080, ip: "10.0.0.1"));
        Assert.True(new NodePortsPlugin().Filter(new CycleState(), Pod(PortPod("p", 8080, ip: "10.0.0.2")), node).IsSuccess);
        Assert.False(new NodePortsPlugin().Filter(new CycleState(), Pod(PortPod("p", 8080, ip: "10.0.0.1")), node).IsSuccess);
    }
}
