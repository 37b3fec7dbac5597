namespace Edge.Scheduler.Tests.Queue;

public sealed class QueueTests
{
    static TestCluster Unschedulable()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("small", cpu: "1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p", cpu: "2"));
        Assert.Null(cluster.Scheduler.ScheduleOne()?.NodeName);
        Assert.Equal(1, cluster.Scheduler.UnschedulableCount);
        return cluster;
    }

    [Fact]
    public void Unschedulable_NoEvent_StaysParked()
    {
        var cluster = Unschedulable();
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(cluster.Scheduler.ScheduleOne());
    }

    [Fact]
    public void Unschedulable_NodeAdded_RetriedAfterBackoff()
    {
        var cluster = Unschedulable();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("big", cpu: "4"));
        // First failure: 1 s backoff from the failed attempt.
        Assert.Null(cluster.Scheduler.ScheduleOne());
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("big", cluster.Scheduler.ScheduleOne()?.NodeName);
    }

    [Fact]
    public void Unschedulable_PodDeletedFromNode_Retried()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n", cpu: "1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("old", cpu: "1", nodeName: "n"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p", cpu: "1"));
        Assert.Null(cluster.Scheduler.ScheduleOne()?.NodeName);
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        cluster.Scheduler.RemovePod("default", "old");
        Assert.Equal("n", cluster.Scheduler.ScheduleOne()?.NodeName);
    }

    [Fact]
    public void Unschedulable_FiveMinutes_RetriedWithoutEvent()
    {
        var cluster = Unschedulable();
        cluster.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("default/p", cluster.Scheduler.ScheduleOne()?.Pod.ToString());
    }

    [Fact]
    public void Backoff_Doubles_CappedAtTenSeconds()
    {
        var cluster = Unschedulable();
        var expected = new[] { 1, 2, 4, 8, 10, 10 };
        foreach (var seconds in expected)
        {
            cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("small", cpu: "1"));
            cluster.Time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(1));
            Assert.Null(cluster.Scheduler.ScheduleOne());
            cluster.Time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.NotNull(cluster.Scheduler.ScheduleOne());
        }
    }

    [Fact]
    public void BindFailure_ForgetsAssumptionAndRequeues()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n", cpu: "1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p", cpu: "1"));
        cluster.FailBinds = true;
        Assert.Equal("n", cluster.Scheduler.ScheduleOne()?.NodeName);
        Assert.Empty(cluster.Bindings);
        Assert.Equal(1, cluster.Scheduler.PendingCount);
        cluster.FailBinds = false;
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        // The node's cpu was released: the retry fits the same node.
        Assert.Equal("n", cluster.Scheduler.ScheduleOne()?.NodeName);
        Assert.Equal("n", cluster.Bindings["default/p"]);
    }

    [Fact]
    public void HostConfirmsBinding_AssumedReplacedNotDoubled()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n", cpu: "1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("a", cpu: "500m"));
        cluster.Scheduler.ScheduleOne();
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("a", cpu: "500m", nodeName: "n"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("b", cpu: "500m"));
        Assert.Equal("n", cluster.Scheduler.ScheduleOne()?.NodeName);
    }

    [Fact]
    public void Unschedulable_AffinityTargetScheduled_Retried()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n1", labels: new() { ["zone"] = "a" }));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("web", spec: new System.Text.Json.Nodes.JsonObject
        {
            ["affinity"] = System.Text.Json.Nodes.JsonNode.Parse("""
                {"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
                  {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}}
                """),
        }));
        Assert.Equal("0/1 nodes are available: 1 node(s) didn't match pod affinity rules. " +
            "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.", cluster.Scheduler.ScheduleOne()?.FailureMessage);

        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("db", labels: new() { ["app"] = "db" }));
        Assert.Equal("default/db", cluster.Scheduler.ScheduleOne()?.Pod.ToString());
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("n1", cluster.Scheduler.ScheduleOne()?.NodeName);
    }

    [Fact]
    public async Task RunAsync_SchedulesPodsAddedLater()
    {
        var cluster = new TestCluster();
        using var stop = new CancellationTokenSource();
        var run = cluster.Scheduler.RunAsync(stop.Token);
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("n"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("p"));
        for (var i = 0; i < 200 && cluster.Bindings.Count == 0; i++)
            await Task.Delay(10);
        await stop.CancelAsync();
        await run;
        Assert.Equal("n", cluster.Bindings["default/p"]);
    }
}
