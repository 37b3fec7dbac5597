using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests;

/// <summary>Hollow nodes whose heartbeats (Lease renewals) the test writes, then stops.</summary>
public sealed class NodeLifecycleTests
{
    private static readonly ControllerOptions Fast = new()
    {
        NodeMonitorGracePeriod = TimeSpan.FromSeconds(1.5),
        NodeMonitorPeriod = TimeSpan.FromMilliseconds(200),
        NodeEvictionRate = 100,
    };

    private static string Now() => DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");

    /// <summary>Registers a Ready node and keeps renewing its Lease until the returned source is cancelled.</summary>
    private static async Task<CancellationTokenSource> StartNodeAsync(ControllerCluster cluster, string name, bool autonomy = false)
    {
        var labels = autonomy ? """{"edge.io/autonomy":"true"}""" : "{}";
        await cluster.Client.CreateAsync(KnownResources.Nodes, null, Json($$$"""
            {"metadata":{"name":"{{{name}}}","labels":{{{labels}}}},
             "status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"{{{ObjectFields.Timestamp(DateTimeOffset.UtcNow)}}}","lastTransitionTime":"{{{ObjectFields.Timestamp(DateTimeOffset.UtcNow)}}}"}]}}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.Leases, "kube-node-lease", Json($$$"""
            {"metadata":{"name":"{{{name}}}"},"spec":{"holderIdentity":"{{{name}}}","leaseDurationSeconds":40,"renewTime":"{{{Now()}}}"}}
            """), default);
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await cluster.Client.MergePatchAsync(KnownResources.Leases, "kube-node-lease", name, Json($$$"""{"spec":{"renewTime":"{{{Now()}}}"}}"""), null, default);
                await Task.Delay(200);
            }
        });
        return stop;
    }

    private static JsonObject BoundPod(string name, string node, int tolerationSeconds) => Json($$$"""
        {"metadata":{"name":"{{{name}}}"},"spec":{"nodeName":"{{{node}}}","containers":[{"name":"c","image":"busybox:1"}],
         "tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":{{{tolerationSeconds}}}}]}}
        """);

    private static IEnumerable<(string Key, string Effect)> Taints(JsonObject node) =>
        (node["spec"]?["taints"] as JsonArray ?? []).Select(t => (ObjectFields.String(t, "key")!, ObjectFields.String(t, "effect")!));

    [Fact]
    public async Task Node_HeartbeatsStop_IsUnknownTaintedAndPodsGoAfterTheirToleration()
    {
        await using var cluster = await StartAsync(Fast);
        var heartbeats = await StartNodeAsync(cluster, "n1");
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, BoundPod("quick", "n1", 1), default);
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, BoundPod("patient", "n1", 3600), default);

        // Heartbeats keep it healthy well past the grace period.
        await Task.Delay(2500);
        var node = await cluster.Client.GetAsync(KnownResources.Nodes, null, "n1", default);
        Assert.Equal("True", ObjectFields.String(Condition(node, "Ready"), "status"));
        Assert.Empty(Taints(node));

        await heartbeats.CancelAsync();

        await WaitForAsync(async () =>
        {
            node = await cluster.Client.GetAsync(KnownResources.Nodes, null, "n1", default);
            return ObjectFields.String(Condition(node, "Ready"), "status") == "Unknown" &&
                Taints(node).Contains(("node.kubernetes.io/unreachable", "NoExecute")) &&
                Taints(node).Contains(("node.kubernetes.io/unreachable", "NoSchedule"));
        }, "node unknown and tainted", 10);
        Assert.Equal("NodeStatusUnknown", ObjectFields.String(Condition(node, "Ready"), "reason"));
        await WaitForAsync(async () => (await cluster.Client.GetAsync(KnownResources.Pods, cluster.Namespace, "quick", default)).DeletionTimestamp() is not null,
            "pod with a 1 s toleration evicted", 10);
        var patient = await cluster.Client.GetAsync(KnownResources.Pods, cluster.Namespace, "patient", default);
        Assert.Null(patient.DeletionTimestamp());
        Assert.Equal("False", ObjectFields.String(Condition(patient, "Ready"), "status"));

        // The node comes back: its kubelet reports Ready again and the taints go.
        node["status"]!["conditions"] = Json($$$"""{"c":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"{{{ObjectFields.Timestamp(DateTimeOffset.UtcNow)}}}"}]}""")["c"]!.DeepClone();
        await cluster.Client.UpdateAsync(KnownResources.Nodes, node, "status", default);
        await WaitForAsync(async () => !Taints(await cluster.Client.GetAsync(KnownResources.Nodes, null, "n1", default)).Any(), "taints removed", 10);
    }

    [Fact]
    public async Task AutonomyNode_HeartbeatsStop_KeepsItsPodsBound()
    {
        await using var cluster = await StartAsync(Fast);
        var heartbeats = await StartNodeAsync(cluster, "pi", autonomy: true);
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, BoundPod("sensor", "pi", 1), default);
        await Task.Delay(500);

        await heartbeats.CancelAsync();

        JsonObject node = null!;
        await WaitForAsync(async () =>
        {
            node = await cluster.Client.GetAsync(KnownResources.Nodes, null, "pi", default);
            return ObjectFields.String(Condition(node, "Ready"), "status") == "Unknown" && Taints(node).Any();
        }, "autonomy node unknown", 10);
        await Task.Delay(2500);
        node = await cluster.Client.GetAsync(KnownResources.Nodes, null, "pi", default);
        Assert.Equal([("node.kubernetes.io/unreachable", "NoSchedule")], Taints(node));
        var pod = await cluster.Client.GetAsync(KnownResources.Pods, cluster.Namespace, "sensor", default);
        Assert.Null(pod.DeletionTimestamp());
        Assert.Equal("pi", ObjectFields.String(pod["spec"], "nodeName"));
    }

    private static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => ObjectFields.String(c, "type") == type);
}
