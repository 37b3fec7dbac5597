using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.DaemonSets;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.DaemonSets;

/// <summary>DaemonSets over Node objects made through the API; pods are pinned to nodes by affinity, never bound.</summary>
public sealed class DaemonSetTests
{
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType Nodes = KnownResources.Nodes;
    private static readonly ResourceType DaemonSets = KnownResources.DaemonSets;

    private static JsonObject DaemonSet(string name, string image, string strategy = """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1}}""") => Json($$$"""
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"{{{name}}}"},
         "spec":{"selector":{"matchLabels":{"app":"{{{name}}}"}},"updateStrategy":{{{strategy}}},
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"}},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]} } } }
        """);

    private static Task CreateNodeAsync(ControllerCluster cluster, string name, string taints = "[]") =>
        cluster.Client.CreateAsync(Nodes, null, Json($$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{name}}}","labels":{"kubernetes.io/hostname":"{{{name}}}"}},"spec":{"taints":{{{taints}}}}}"""), default);

    private static string Image(JsonObject pod) => ObjectFields.String((pod["spec"]?["containers"] as JsonArray)?[0], "image") ?? "";

    private static async Task<List<string>> PodNodesAsync(ControllerCluster cluster) =>
        (await cluster.ListAsync(Pods)).Where(p => p.DeletionTimestamp() is null).Select(p => NodeEligibility.NodeOf(p) ?? "?").Order(StringComparer.Ordinal).ToList();

    private static async Task WaitForPodNodesAsync(ControllerCluster cluster, params string[] nodes) =>
        await WaitForAsync(async () => (await PodNodesAsync(cluster)).SequenceEqual(nodes), $"one pod on each of {string.Join(", ", nodes)}");

    [Fact]
    public async Task DaemonSet_ThreeNodesOneTainted_RunsOnePodOnEachUntaintedNode()
    {
        await using var cluster = await StartAsync();
        await CreateNodeAsync(cluster, "n1");
        await CreateNodeAsync(cluster, "n2");
        await CreateNodeAsync(cluster, "n3", """[{"key":"dedicated","value":"db","effect":"NoSchedule"}]""");

        var ds = await cluster.Client.CreateAsync(DaemonSets, cluster.Namespace, DaemonSet("agent", "agent:1"), default);

        await WaitForPodNodesAsync(cluster, "n1", "n2");
        await WaitForAsync(async () =>
        {
            var status = (await cluster.Client.GetAsync(DaemonSets, cluster.Namespace, "agent", default))["status"];
            return ObjectFields.Long(status, "desiredNumberScheduled") == 2 && ObjectFields.Long(status, "numberReady") == 2 &&
                ObjectFields.Long(status, "numberAvailable") == 2 && ObjectFields.Long(status, "updatedNumberScheduled") == 2 &&
                ObjectFields.Long(status, "numberMisscheduled") == 0 && ObjectFields.Long(status, "observedGeneration") == 1;
        }, "status of 2 ready daemon pods");
        await Task.Delay(300);
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.True(Owners.IsControlledBy(p, ds)));
        Assert.All(pods, p => Assert.NotNull(ObjectFields.String(p.Labels(), DaemonSetController.RevisionHashLabel)));
        Assert.All(pods, p => Assert.Contains((p["spec"]!["tolerations"] as JsonArray)!.OfType<JsonObject>(),
            t => ObjectFields.String(t, "key") == "node.kubernetes.io/unschedulable" && ObjectFields.String(t, "effect") == "NoSchedule"));
    }

    [Fact]
    public async Task DaemonSet_NodeAddedThenDeleted_AddsAndRemovesItsPod()
    {
        await using var cluster = await StartAsync();
        await CreateNodeAsync(cluster, "n1");
        await cluster.Client.CreateAsync(DaemonSets, cluster.Namespace, DaemonSet("agent", "agent:1"), default);
        await WaitForPodNodesAsync(cluster, "n1");

        await CreateNodeAsync(cluster, "n2");
        await WaitForPodNodesAsync(cluster, "n1", "n2");

        await cluster.Client.DeleteAsync(Nodes, null, "n1", DeleteRequest.Default, default);
        await WaitForPodNodesAsync(cluster, "n2");
    }

    [Fact]
    public async Task DaemonSet_NodeTaintedLater_RemovesThePodFromIt()
    {
        await using var cluster = await StartAsync();
        await CreateNodeAsync(cluster, "n1");
        await CreateNodeAsync(cluster, "n2");
        await cluster.Client.CreateAsync(DaemonSets, cluster.Namespace, DaemonSet("agent", "agent:1"), default);
        await WaitForPodNodesAsync(cluster, "n1", "n2");

        await cluster.PatchAsync(Nodes, null, "n2", """{"spec":{"taints":[{"key":"gpu","effect":"NoExecute"}]}}""");

        await WaitForPodNodesAsync(cluster, "n1");
    }

    [Fact]
    public async Task DaemonSet_TemplateChanged_ReplacesPodsWithinMaxUnavailable()
    {
        await using var cluster = await StartAsync();
        foreach (var node in new[] { "n1", "n2", "n3", "n4" })
        {
            await CreateNodeAsync(cluster, node);
        }

        await cluster.Client.CreateAsync(DaemonSets, cluster.Namespace, DaemonSet("agent", "agent:1"), default);
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count(PodState.IsReady) == 4, "4 ready pods");

        var lowest = int.MaxValue;
        var ready = new Dictionary<string, bool>();
        foreach (var pod in await cluster.ListAsync(Pods))
        {
            ready[pod.Name()!] = PodState.IsReady(pod);
        }

        using var watching = new CancellationTokenSource();
        var revision = (await cluster.Client.ListAsync(Pods, cluster.Namespace, default)).Revision;
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in cluster.Client.WatchAsync(Pods, cluster.Namespace, revision, watching.Token))
                {
                    ready[change.Object.Name()!] = change.Type != ObjectEventType.Deleted && PodState.IsReady(change.Object) && change.Object.DeletionTimestamp() is null;
                    lowest = Math.Min(lowest, ready.Values.Count(r => r));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        await cluster.PatchAsync(DaemonSets, cluster.Namespace, "agent", """{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"agent:2"}]}}}}""");

        await WaitForAsync(async () =>
        {
            var pods = await cluster.ListAsync(Pods);
            return pods.Count == 4 && pods.All(p => Image(p) == "agent:2" && PodState.IsReady(p));
        }, "4 ready pods of agent:2");
        await WaitForAsync(async () =>
        {
            var status = (await cluster.Client.GetAsync(DaemonSets, cluster.Namespace, "agent", default))["status"];
            return ObjectFields.Long(status, "updatedNumberScheduled") == 4 && ObjectFields.Long(status, "numberAvailable") == 4 &&
                ObjectFields.Long(status, "observedGeneration") == 2;
        }, "status of the rolled-out set");
        await watching.CancelAsync();
        await watcher;
        Assert.Equal(3, lowest);
        Assert.Equal(["n1", "n2", "n3", "n4"], await PodNodesAsync(cluster));
    }

    [Fact]
    public async Task DaemonSet_OnDeleteTemplateChanged_ReplacesOnlyPodsTheUserDeletes()
    {
        await using var cluster = await StartAsync();
        await CreateNodeAsync(cluster, "n1");
        await CreateNodeAsync(cluster, "n2");
        await cluster.Client.CreateAsync(DaemonSets, cluster.Namespace, DaemonSet("agent", "agent:1", """{"type":"OnDelete"}"""), default);
        await WaitForPodNodesAsync(cluster, "n1", "n2");

        await cluster.PatchAsync(DaemonSets, cluster.Namespace, "agent", """{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"agent:2"}]}}}}""");
        await WaitForAsync(async () => ObjectFields.Long((await cluster.Client.GetAsync(DaemonSets, cluster.Namespace, "agent", default))["status"], "observedGeneration") == 2, "generation 2 observed");
        Assert.All(await cluster.ListAsync(Pods), p => Assert.Equal("agent:1", Image(p)));

        var onN1 = (await cluster.ListAsync(Pods)).Single(p => NodeEligibility.NodeOf(p) == "n1");
        await cluster.Client.DeleteAsync(Pods, cluster.Namespace, onN1.Name()!, DeleteRequest.Default, default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Any(p => NodeEligibility.NodeOf(p) == "n1" && Image(p) == "agent:2"), "a new pod on n1");
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(2, pods.Count);
        Assert.Equal("agent:1", Image(pods.Single(p => NodeEligibility.NodeOf(p) == "n2")));
    }
}
