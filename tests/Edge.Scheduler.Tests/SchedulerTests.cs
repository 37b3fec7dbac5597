using System.Text.Json.Nodes;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests;

public sealed class SchedulerTests
{
    [Fact]
    public void ScheduleOne_ThreeNodesNoneFit_UpstreamMessage()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("cp1", taints: [TestCluster.Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")]));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("cp2", taints: [TestCluster.Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule")]));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("w1", memory: "1Gi"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("big", memory: "2Gi"));

        var attempt = cluster.Scheduler.ScheduleOne();

        Assert.NotNull(attempt);
        Assert.Null(attempt.NodeName);
        Assert.Equal("0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. " +
            "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.", attempt.FailureMessage);
        Assert.Equal(("default/big", attempt.FailureMessage, (string?)null), Assert.Single(cluster.Failures));
    }

    [Fact]
    public void ScheduleOne_Fits_BindsAndReportsScheduled()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("web"));

        var attempt = cluster.Scheduler.ScheduleOne();

        Assert.Equal("n1", attempt?.NodeName);
        Assert.Equal("n1", cluster.Bindings["default/web"]);
        Assert.Equal(["Successfully assigned default/web to n1"], cluster.Scheduled);
        Assert.Equal(0, cluster.Scheduler.PendingCount);
    }

    [Fact]
    public void ScheduleOne_AssumedPod_CountsBeforeHostConfirms()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n1", cpu: "1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("a", cpu: "600m"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("b", cpu: "600m"));

        var attempts = cluster.Drain();

        Assert.Equal("n1", attempts[0].NodeName);
        Assert.Null(attempts[1].NodeName);
        Assert.StartsWith("0/1 nodes are available: 1 Insufficient cpu.", attempts[1].FailureMessage);
    }

    [Fact]
    public void ScheduleOne_NoNodes_ReportsNoNodesAvailable()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("a"));
        Assert.Equal("no nodes available to schedule pods", cluster.Scheduler.ScheduleOne()?.FailureMessage);
    }

    [Fact]
    public void AddOrUpdatePod_OtherSchedulerOrBoundOrTerminating_NotQueued()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("other", spec: new JsonObject { ["schedulerName"] = "custom" }));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("bound", nodeName: "n1"));
        var terminating = TestCluster.Pod("gone");
        terminating["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        cluster.Scheduler.AddOrUpdatePod(terminating);
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("mine", spec: new JsonObject { ["schedulerName"] = "default-scheduler" }));
        Assert.Equal(1, cluster.Scheduler.PendingCount);
    }

    [Fact]
    public void ScheduleOne_HigherPriority_GoesFirst()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("low", priority: 1));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("high", priority: 100));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("low2", priority: 1));
        Assert.Equal(["default/high", "default/low", "default/low2"], cluster.Drain().Select(a => a.Pod.ToString()));
    }

    [Fact]
    public void ScheduleOne_PriorityClassAndGlobalDefault_Resolved()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdatePriorityClass(TestCluster.Parse("""{"metadata":{"name":"high"},"value":1000}"""));
        cluster.Scheduler.AddOrUpdatePriorityClass(TestCluster.Parse("""{"metadata":{"name":"base"},"value":10,"globalDefault":true}"""));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("plain"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", spec: new JsonObject { ["priorityClassName"] = "high" }));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("zero", priority: 0));
        Assert.Equal(["default/vip", "default/plain", "default/zero"], cluster.Drain().Select(a => a.Pod.ToString()));
    }

    [Fact]
    public void ScheduleOne_ManyNodes_SpreadsByScoreAndRotation()
    {
        var cluster = new TestCluster();
        for (var i = 0; i < 5; i++)
            cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n" + i));
        for (var i = 0; i < 10; i++)
            cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p" + i, cpu: "500m", memory: "1Gi"));
        cluster.Drain();
        Assert.All(cluster.Bindings.Values.GroupBy(n => n), g => Assert.Equal(2, g.Count()));
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(99, 99)]
    [InlineData(100, 100)]
    [InlineData(1000, 420)]
    [InlineData(5000, 500)]
    [InlineData(6000, 300)]
    public void NumFeasibleNodesToFind_Adaptive_AsUpstream(int nodes, int expected)
    {
        Assert.Equal(expected, new TestCluster().Scheduler.NumFeasibleNodesToFind(nodes));
    }

    [Fact]
    public void ScheduleOne_NodeNameMismatchAndSelector_CountedPerReason()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("a", labels: Labels(("disk", "hdd"))));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("b", unschedulable: true));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p", spec: new JsonObject { ["nodeSelector"] = Labels(("disk", "ssd")) }));
        Assert.Equal("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. " +
            "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.", cluster.Scheduler.ScheduleOne()?.FailureMessage);
    }
}
