using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.StatefulSets;

/// <summary>StatefulSets through the in-process API; the hollow kubelet makes pods ready unless a test holds them.</summary>
public sealed class StatefulSetTests
{
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType StatefulSets = KnownResources.StatefulSets;
    private static readonly ResourceType ControllerRevisions = KnownResources.ControllerRevisions;

    private static JsonObject StatefulSet(string name, int replicas, string image, string policy = "OrderedReady", string strategy = """{"type":"RollingUpdate"}""") => Json($$$"""
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"{{{name}}}"},
         "spec":{"replicas":{{{replicas}}},"serviceName":"{{{name}}}-svc","podManagementPolicy":"{{{policy}}}","updateStrategy":{{{strategy}}},
                 "selector":{"matchLabels":{"app":"{{{name}}}"}},
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"}},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]} } } }
        """);

    private static string Image(JsonObject pod) => ObjectFields.String((pod["spec"]?["containers"] as JsonArray)?[0], "image") ?? "";

    private static async Task<JsonNode?> StatusAsync(ControllerCluster cluster, string name) =>
        (await cluster.Client.GetAsync(StatefulSets, cluster.Namespace, name, default))["status"];

    private static async Task<List<string>> PodNamesAsync(ControllerCluster cluster) =>
        (await cluster.ListAsync(Pods)).Select(p => p.Name()!).Order(StringComparer.Ordinal).ToList();

    private static Task WaitForReadyAsync(ControllerCluster cluster, string name, int replicas) =>
        WaitForAsync(async () =>
        {
            var status = await StatusAsync(cluster, name);
            return ObjectFields.Long(status, "readyReplicas") == replicas && ObjectFields.Long(status, "replicas") == replicas &&
                ObjectFields.String(status, "currentRevision") is { } current && current == ObjectFields.String(status, "updateRevision");
        }, $"{replicas} ready replicas of {name} at one revision");

    /// <summary>A change the kubelet sees, so that it looks at a pod it held back again.</summary>
    private static Task PokeAsync(ControllerCluster cluster, string pod) =>
        cluster.PatchAsync(Pods, cluster.Namespace, pod, """{"metadata":{"annotations":{"poke":"1"}}}""");

    [Fact]
    public async Task OrderedReady_PodUnready_NextOrdinalWaitsUntilReady()
    {
        await using var cluster = await StartAsync();
        cluster.HoldPod = p => p.Name() == "web-1";
        await using var log = await PodLog.StartAsync(cluster);
        var set = await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 3, "app:v1"), default);

        await WaitForAsync(async () => (await PodNamesAsync(cluster)).SequenceEqual(["web-0", "web-1"]) &&
            ObjectFields.Long(await StatusAsync(cluster, "web"), "readyReplicas") == 1, "web-0 ready and web-1 created");
        await Task.Delay(1000);
        Assert.Equal(["web-0", "web-1"], await PodNamesAsync(cluster));

        cluster.HoldPod = null;
        await PokeAsync(cluster, "web-1");
        await WaitForReadyAsync(cluster, "web", 3);

        Assert.Equal(["web-0", "web-1", "web-2"], log.Names(ObjectEventType.Added));
        var web2 = await cluster.Client.GetAsync(Pods, cluster.Namespace, "web-2", default);
        Assert.Equal("web-2", ObjectFields.String(web2.Labels(), "statefulset.kubernetes.io/pod-name"));
        Assert.Equal("2", ObjectFields.String(web2.Labels(), "apps.kubernetes.io/pod-index"));
        Assert.Equal(ObjectFields.String(await StatusAsync(cluster, "web"), "updateRevision"), ObjectFields.String(web2.Labels(), "controller-revision-hash"));
        Assert.Equal("web-2", ObjectFields.String(web2["spec"], "hostname"));
        Assert.Equal("web-svc", ObjectFields.String(web2["spec"], "subdomain"));
        Assert.True(Owners.IsControlledBy(web2, set));
        Assert.Equal(true, Owners.ControllerOf(web2)?["blockOwnerDeletion"]?.GetValue<bool>());
        await WaitForAsync(async () => (await cluster.ListAsync(KnownResources.Events))
            .Any(e => ObjectFields.String(e, "message") == "create Pod web-2 in StatefulSet web successful"), "the SuccessfulCreate event");
    }

    [Fact]
    public async Task ScaleDown_ThreeToOne_DeletesHighestOrdinalFirst()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 3, "app:v1"), default);
        await WaitForReadyAsync(cluster, "web", 3);
        await using var log = await PodLog.StartAsync(cluster);

        await cluster.PatchAsync(StatefulSets, cluster.Namespace, "web", """{"spec":{"replicas":1}}""");

        await WaitForReadyAsync(cluster, "web", 1);
        Assert.Equal(["web-0"], await PodNamesAsync(cluster));
        Assert.Equal(["web-2", "web-1"], log.Names(ObjectEventType.Deleted));
        Assert.Equal(2, ObjectFields.Long(await StatusAsync(cluster, "web"), "observedGeneration"));
    }

    [Fact]
    public async Task RollingUpdate_PartitionThenNone_UpdatesFromHighestOrdinalOneReadyPodAtATime()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 3, "app:v1"), default);
        await WaitForReadyAsync(cluster, "web", 3);
        var first = ObjectFields.String(await StatusAsync(cluster, "web"), "updateRevision");
        await using var log = await PodLog.StartAsync(cluster);
        // The first updated pod stays unready for a while: nothing else may move meanwhile.
        cluster.HoldPod = p => Image(p) == "app:v2";

        await cluster.PatchAsync(StatefulSets, cluster.Namespace, "web",
            """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}},"template":{"spec":{"containers":[{"name":"c","image":"app:v2"}]}}}}""");

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Any(p => p.Name() == "web-2" && Image(p) == "app:v2"), "web-2 at v2");
        await Task.Delay(800);
        Assert.Equal(["web-2"], log.Names(ObjectEventType.Deleted));
        cluster.HoldPod = null;
        await PokeAsync(cluster, "web-2");
        await WaitForAsync(async () =>
        {
            var status = await StatusAsync(cluster, "web");
            return ObjectFields.Long(status, "updatedReplicas") == 2 && ObjectFields.Long(status, "readyReplicas") == 3;
        }, "two updated pods, all ready");
        await Task.Delay(500);
        var status = await StatusAsync(cluster, "web");
        var second = ObjectFields.String(status, "updateRevision");
        Assert.NotEqual(first, second);
        Assert.Equal(first, ObjectFields.String(status, "currentRevision"));
        Assert.Equal(1, ObjectFields.Long(status, "currentReplicas"));
        var pods = (await cluster.ListAsync(Pods)).ToDictionary(p => p.Name()!, p => (Image(p), ObjectFields.String(p.Labels(), "controller-revision-hash")));
        Assert.Equal(("app:v1", first), pods["web-0"]);
        Assert.Equal(("app:v2", second), pods["web-1"]);
        Assert.Equal(("app:v2", second), pods["web-2"]);
        Assert.Equal(["web-2", "web-1"], log.Names(ObjectEventType.Deleted));

        await cluster.PatchAsync(StatefulSets, cluster.Namespace, "web", """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}""");

        await WaitForReadyAsync(cluster, "web", 3);
        status = await StatusAsync(cluster, "web");
        Assert.Equal(second, ObjectFields.String(status, "currentRevision"));
        Assert.Equal(3, ObjectFields.Long(status, "updatedReplicas"));
        Assert.Equal(3, ObjectFields.Long(status, "currentReplicas"));
        Assert.All(await cluster.ListAsync(Pods), p => Assert.Equal("app:v2", Image(p)));
        Assert.Equal(["web-2", "web-1", "web-0"], log.Names(ObjectEventType.Deleted));
        var revisions = (await cluster.ListAsync(ControllerRevisions)).OrderBy(r => ObjectFields.Long(r, "revision")).ToList();
        Assert.Equal([first, second], revisions.Select(r => r.Name()));
        Assert.Equal([1L, 2L], revisions.Select(r => ObjectFields.Long(r, "revision") ?? 0));
        Assert.Equal("app:v2", Image((JsonObject)revisions[1]["data"]!["spec"]!["template"]!));
    }

    [Fact]
    public async Task OnDelete_TemplateChanged_OnlyDeletedPodsMoveToTheUpdateRevision()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 2, "app:v1", strategy: """{"type":"OnDelete"}"""), default);
        await WaitForReadyAsync(cluster, "web", 2);

        await cluster.PatchAsync(StatefulSets, cluster.Namespace, "web", """{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"app:v2"}]}}}}""");
        await WaitForAsync(async () => ObjectFields.Long(await StatusAsync(cluster, "web"), "observedGeneration") == 2, "generation 2 observed");
        await Task.Delay(500);
        Assert.All(await cluster.ListAsync(Pods), p => Assert.Equal("app:v1", Image(p)));
        Assert.Equal(0, ObjectFields.Long(await StatusAsync(cluster, "web"), "updatedReplicas"));

        await cluster.Client.DeleteAsync(Pods, cluster.Namespace, "web-1", DeleteRequest.Default, default);
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Any(p => p.Name() == "web-1" && Image(p) == "app:v2"), "web-1 at v2");
        Assert.Equal("app:v1", Image(await cluster.Client.GetAsync(Pods, cluster.Namespace, "web-0", default)));

        await cluster.Client.DeleteAsync(Pods, cluster.Namespace, "web-0", DeleteRequest.Default, default);
        await WaitForReadyAsync(cluster, "web", 2);
        Assert.All(await cluster.ListAsync(Pods), p => Assert.Equal("app:v2", Image(p)));
    }

    [Fact]
    public async Task Parallel_NoPodReady_CreatesAllPodsAtOnce()
    {
        await using var cluster = await StartAsync();
        cluster.UnreadyImages["app:slow"] = true;

        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 3, "app:slow", policy: "Parallel"), default);

        await WaitForAsync(async () => (await PodNamesAsync(cluster)).SequenceEqual(["web-0", "web-1", "web-2"]), "3 pods");
        Assert.DoesNotContain(await cluster.ListAsync(Pods), PodState.IsReady);
        await WaitForAsync(async () => ObjectFields.Long(await StatusAsync(cluster, "web"), "replicas") == 3, "status of 3 replicas");
        Assert.Equal(0, ObjectFields.Long(await StatusAsync(cluster, "web"), "readyReplicas"));
    }

    [Fact]
    public async Task DeletedPod_IsRecreatedWithTheSameName()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 2, "app:v1"), default);
        await WaitForReadyAsync(cluster, "web", 2);
        var old = await cluster.Client.GetAsync(Pods, cluster.Namespace, "web-1", default);

        await cluster.Client.DeleteAsync(Pods, cluster.Namespace, "web-1", DeleteRequest.Default, default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Any(p => p.Name() == "web-1" && p.Uid() != old.Uid() && PodState.IsReady(p)), "a new ready web-1");
        Assert.Equal(["web-0", "web-1"], await PodNamesAsync(cluster));
    }

    [Fact]
    public async Task FailedPod_IsReplacedWithTheSameName()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(StatefulSets, cluster.Namespace, StatefulSet("web", 2, "app:v1"), default);
        await WaitForReadyAsync(cluster, "web", 2);
        var old = await cluster.Client.GetAsync(Pods, cluster.Namespace, "web-0", default);

        old["status"] = Json("""{"phase":"Failed","conditions":[{"type":"Ready","status":"False"}]}""");
        await cluster.Client.UpdateAsync(Pods, old, "status", default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Any(p => p.Name() == "web-0" && p.Uid() != old.Uid() && PodState.IsReady(p)), "a new ready web-0");
        await WaitForReadyAsync(cluster, "web", 2);
    }

    /// <summary>Pod events in the order the API reports them.</summary>
    private sealed class PodLog : IAsyncDisposable
    {
        private readonly List<(ObjectEventType Type, string Name)> _events = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _watching = Task.CompletedTask;

        public static async Task<PodLog> StartAsync(ControllerCluster cluster)
        {
            var log = new PodLog();
            var revision = (await cluster.Client.ListAsync(Pods, cluster.Namespace, default)).Revision;
            log._watching = Task.Run(async () =>
            {
                try
                {
                    await foreach (var change in cluster.Client.WatchAsync(Pods, cluster.Namespace, revision, log._stop.Token))
                    {
                        lock (log._events)
                        {
                            log._events.Add((change.Type, change.Object.Name()!));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
            return log;
        }

        public List<string> Names(ObjectEventType type)
        {
            lock (_events)
            {
                return _events.Where(e => e.Type == type).Select(e => e.Name).ToList();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watching;
            _stop.Dispose();
        }
    }
}
