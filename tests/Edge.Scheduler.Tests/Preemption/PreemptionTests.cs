using System.Text.Json.Nodes;

namespace Edge.Scheduler.Tests.Preemption;

public sealed class PreemptionTests
{
    static TestCluster Full(params (string Name, int Priority, string Cpu, string Node)[] pods)
    {
        var cluster = new TestCluster();
        foreach (var node in pods.Select(p => p.Node).Distinct())
            cluster.Scheduler.AddOrUpdateNode(TestCluster.Node(node, cpu: "2"));
        foreach (var (name, priority, cpu, node) in pods)
            cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod(name, cpu: cpu, priority: priority, nodeName: node));
        return cluster;
    }

    [Fact]
    public void Preempt_LowerPriorityPods_EvictsFewestAndNominates()
    {
        var cluster = Full(("a-low", 1, "1", "a"), ("a-mid", 5, "1", "a"), ("b-low1", 1, "1", "b"), ("b-low2", 1, "1", "b"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "1", priority: 10));

        var attempt = cluster.Scheduler.ScheduleOne();

        // On a the victim would be a-low (top victim priority 1, sum 1); on b one of the two
        // priority-1 pods (also top 1, sum 1) — equal; both evict one pod of priority 1.
        Assert.NotNull(attempt?.NominatedNodeName);
        var eviction = Assert.Single(cluster.Evictions);
        Assert.Contains("low", eviction.Victim);
        Assert.Equal("default/vip", eviction.Preemptor);
        Assert.Equal(attempt.NominatedNodeName, eviction.Node);
        Assert.Equal(attempt.NominatedNodeName, Assert.Single(cluster.Failures).Nominated);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", attempt.FailureMessage);
    }

    [Fact]
    public void Preempt_PrefersLowerVictimPriority()
    {
        var cluster = Full(("a-mid", 5, "2", "a"), ("b-low", 1, "2", "b"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "1", priority: 10));
        Assert.Equal("b", cluster.Scheduler.ScheduleOne()?.NominatedNodeName);
        Assert.Equal("default/b-low", Assert.Single(cluster.Evictions).Victim);
    }

    [Fact]
    public void Preempt_EqualOrHigherPriority_NeverEvicted()
    {
        var cluster = Full(("a-same", 10, "2", "a"), ("b-high", 20, "2", "b"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "1", priority: 10));
        var attempt = cluster.Scheduler.ScheduleOne();
        Assert.Null(attempt?.NominatedNodeName);
        Assert.Empty(cluster.Evictions);
        Assert.EndsWith("preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", attempt?.FailureMessage);
    }

    [Fact]
    public void Preempt_ReprievesVictimsThatNeedNotGo()
    {
        // Removing both low pods is needed only for 1 cpu: one is reprieved (the more important).
        var cluster = Full(("keep", 3, "1", "a"), ("lose", 2, "1", "a"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "1", priority: 10));
        cluster.Scheduler.ScheduleOne();
        Assert.Equal("default/lose", Assert.Single(cluster.Evictions).Victim);
    }

    [Fact]
    public void Preempt_PolicyNever_DoesNotPreempt()
    {
        var cluster = Full(("low", 1, "2", "a"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "1", priority: 10, spec: new JsonObject { ["preemptionPolicy"] = "Never" }));
        var attempt = cluster.Scheduler.ScheduleOne();
        Assert.Empty(cluster.Evictions);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", attempt?.FailureMessage);
    }

    [Fact]
    public void Preempt_VictimsDeleted_PreemptorLandsOnNominatedNode()
    {
        var cluster = Full(("low", 1, "2", "a"), ("other", 100, "2", "b"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("vip", cpu: "2", priority: 10));
        Assert.Equal("a", cluster.Scheduler.ScheduleOne()?.NominatedNodeName);
        // A lower-priority newcomer must not take the room the preemptor made.
        cluster.Scheduler.RemovePod("default", "low");
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("sneak", cpu: "2", priority: 5));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var attempts = cluster.Drain();
        Assert.Equal("a", cluster.Bindings["default/vip"]);
        Assert.False(cluster.Bindings.ContainsKey("default/sneak"));
    }
}
