using System.Text.Json.Nodes;
using static Edge.Scheduler.Tests.Plugins.PluginTestKit;

namespace Edge.Scheduler.Tests.Plugins;

/// <summary>The counts the scheduler keeps between cycles (spread domains, anti-affinity groups, label index) follow cluster changes.</summary>
public sealed class SharedCountsTests
{
    static JsonObject Spread(string name) => TestCluster.Pod(name, labels: Labels(("app", "web")), spec: new JsonObject
    {
        ["topologySpreadConstraints"] = new JsonArray(new JsonObject
        {
            ["maxSkew"] = 1,
            ["topologyKey"] = "zone",
            ["whenUnsatisfiable"] = "DoNotSchedule",
            ["labelSelector"] = new JsonObject { ["matchLabels"] = Labels(("app", "web")) },
        }),
    });

    [Fact]
    public void Spread_PodsDeletedAndNodeAdded_CountsFollow()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("a1", labels: Labels(("zone", "a"))));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("b1", labels: Labels(("zone", "b"))));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("web-1", labels: Labels(("app", "web")), nodeName: "a1"));
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("web-2", labels: Labels(("app", "web")), nodeName: "a1"));

        cluster.Scheduler.AddOrUpdatePod(Spread("p"));
        Assert.Equal("b1", cluster.Scheduler.ScheduleOne()?.NodeName);

        // a: 0, b: 1 (the assumed p): the next must go to a.
        cluster.Scheduler.RemovePod("default", "web-1");
        cluster.Scheduler.RemovePod("default", "web-2");
        cluster.Scheduler.AddOrUpdatePod(Spread("q"));
        Assert.Equal("a1", cluster.Scheduler.ScheduleOne()?.NodeName);

        // A new empty zone: the next must go there.
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("c1", labels: Labels(("zone", "c"))));
        cluster.Scheduler.AddOrUpdatePod(Spread("r"));
        Assert.Equal("c1", cluster.Scheduler.ScheduleOne()?.NodeName);
    }

    static JsonObject Guarded(string name, string? nodeName = null) => TestCluster.Pod(name, labels: Labels(("app", "db")), nodeName: nodeName, spec: new JsonObject
    {
        ["affinity"] = JsonNode.Parse("""
            {"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
              {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}}
            """),
    });

    [Fact]
    public void AntiAffinity_ExistingPodDeletedOrNodeRelabeled_Follows()
    {
        var cluster = new TestCluster();
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("a1", labels: Labels(("zone", "a"))));
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("a2", labels: Labels(("zone", "a"))));
        cluster.Scheduler.AddOrUpdatePod(Guarded("db-0", nodeName: "a1"));

        // Zone a holds db-0, whose anti-affinity (and the newcomer's own) keeps db pods out.
        cluster.Scheduler.AddOrUpdatePod(TestCluster.Pod("db-1", labels: Labels(("app", "db"))));
        Assert.Equal("0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. " +
            "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.", cluster.Scheduler.ScheduleOne()?.FailureMessage);

        // Moving a2 to zone b takes it out of db-0's domain.
        cluster.Scheduler.AddOrUpdateNode(TestCluster.Node("a2", labels: Labels(("zone", "b"))));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a2", cluster.Scheduler.ScheduleOne()?.NodeName);

        // With db-0 gone, a guarded pod fits zone a again (db-1 holds zone b).
        cluster.Scheduler.RemovePod("default", "db-0");
        cluster.Scheduler.AddOrUpdatePod(Guarded("db-2"));
        Assert.Equal("a1", cluster.Scheduler.ScheduleOne()?.NodeName);
    }
}
