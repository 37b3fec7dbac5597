using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests;

/// <summary>ReplicaSets and Deployments driven through the in-process API, pods made ready by the hollow kubelet.</summary>
public sealed class WorkloadTests
{
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType ReplicaSets = KnownResources.ReplicaSets;
    private static readonly ResourceType Deployments = KnownResources.Deployments;

    private static JsonObject ReplicaSet(string name, int replicas) => Json($$$"""
        {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"{{{name}}}"},
         "spec":{"replicas":{{{replicas}}},"selector":{"matchLabels":{"app":"{{{name}}}"}},
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]} } } }
        """);

    private static JsonObject Deployment(string name, int replicas, string image, string strategy = """{"type":"RollingUpdate","rollingUpdate":{"maxSurge":3,"maxUnavailable":2}}""") => Json($$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{name}}}"},
         "spec":{"replicas":{{{replicas}}},"selector":{"matchLabels":{"app":"{{{name}}}"}},"strategy":{{{strategy}}},
                 "template":{"metadata":{"labels":{"app":"{{{name}}}"}},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]} } } }
        """);

    private static string Image(JsonObject pod) => ObjectFields.String((pod["spec"]?["containers"] as JsonArray)?[0], "image") ?? "";

    [Fact]
    public async Task ReplicaSet_ScaledUpAndDown_KeepsExactlyReplicasPodsWithOwnerAndStatus()
    {
        await using var cluster = await StartAsync();
        var rs = await cluster.Client.CreateAsync(ReplicaSets, cluster.Namespace, ReplicaSet("web", 3), default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 3, "3 pods");
        var pods = await cluster.ListAsync(Pods);
        Assert.All(pods, p => Assert.Equal(rs.Uid(), ObjectFields.String(Owners.ControllerOf(p), "uid")));
        Assert.All(pods, p => Assert.StartsWith("web-", p.Name()));
        await WaitForAsync(async () => ObjectFields.Long((await cluster.Client.GetAsync(ReplicaSets, cluster.Namespace, "web", default))["status"], "readyReplicas") == 3, "3 ready");

        await cluster.Client.MergePatchAsync(ReplicaSets, cluster.Namespace, "web", Json("""{"spec":{"replicas":1}}"""), null, default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 1, "1 pod left");
        await WaitForAsync(async () =>
        {
            var status = (await cluster.Client.GetAsync(ReplicaSets, cluster.Namespace, "web", default))["status"];
            return ObjectFields.Long(status, "replicas") == 1 && ObjectFields.Long(status, "availableReplicas") == 1 &&
                ObjectFields.Long(status, "observedGeneration") == 2;
        }, "status of 1 replica at generation 2");
        // Nothing more happens once settled: still exactly one.
        await Task.Delay(300);
        Assert.Single(await cluster.ListAsync(Pods));
    }

    [Fact]
    public async Task ReplicaSet_WithMatchingOrphan_AdoptsItInsteadOfCreating()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(Pods, cluster.Namespace,
            Json("""{"metadata":{"name":"stray","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}"""), default);

        var rs = await cluster.Client.CreateAsync(ReplicaSets, cluster.Namespace, ReplicaSet("web", 2), default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count(p => Owners.IsControlledBy(p, rs)) == 2, "2 owned pods");
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(2, pods.Count);
        Assert.Contains(pods, p => p.Name() == "stray");
    }

    [Fact]
    public async Task Deployment_RollingUpdate_NeverDropsBelowMinimumAvailableAndUndoReusesOldSet()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(Deployments, cluster.Namespace, Deployment("app", 10, "app:v1"), default);
        await WaitForRolledOutAsync(cluster, "app", 10);

        // A watcher counts ready pods (the hollow kubelet makes pods ready as they come) at every change.
        var lowest = int.MaxValue;
        var highest = 0;
        using var watching = new CancellationTokenSource();
        var revision = (await cluster.Client.ListAsync(Pods, cluster.Namespace, default)).Revision;
        var ready = new Dictionary<string, bool>();
        foreach (var pod in await cluster.ListAsync(Pods))
        {
            ready[pod.Name()!] = PodState.IsReady(pod) && pod.DeletionTimestamp() is null;
        }

        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in cluster.Client.WatchAsync(Pods, cluster.Namespace, revision, watching.Token))
                {
                    ready[change.Object.Name()!] = change.Type != ObjectEventType.Deleted && PodState.IsReady(change.Object) && change.Object.DeletionTimestamp() is null;
                    if (change.Type == ObjectEventType.Deleted)
                    {
                        ready.Remove(change.Object.Name()!);
                    }

                    lowest = Math.Min(lowest, ready.Values.Count(r => r));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // maxSurge bounds the replicas the sets are asked for (pods of a shrinking set may linger a moment, as upstream).
        var setRevision = (await cluster.Client.ListAsync(ReplicaSets, cluster.Namespace, default)).Revision;
        var wanted = (await cluster.ListAsync(ReplicaSets)).ToDictionary(rs => rs.Name()!, rs => ObjectFields.Long(rs["spec"], "replicas") ?? 0);
        var setWatcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in cluster.Client.WatchAsync(ReplicaSets, cluster.Namespace, setRevision, watching.Token))
                {
                    wanted[change.Object.Name()!] = change.Type == ObjectEventType.Deleted ? 0 : ObjectFields.Long(change.Object["spec"], "replicas") ?? 0;
                    highest = Math.Max(highest, (int)wanted.Values.Sum());
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        await cluster.Client.MergePatchAsync(Deployments, cluster.Namespace, "app",
            Json("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"app:v2"}]}}}}"""), null, default);
        await WaitForRolledOutAsync(cluster, "app", 10);
        await Task.Delay(200);
        await watching.CancelAsync();
        await Task.WhenAll(watcher, setWatcher);

        Assert.True(lowest >= 8, $"ready pods fell to {lowest} (maxUnavailable 2 of 10)");
        Assert.True(highest <= 13, $"the replica sets were asked for {highest} replicas (maxSurge 3 over 10)");
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(10, pods.Count);
        Assert.All(pods, p => Assert.Equal("app:v2", Image(p)));
        var sets = await cluster.ListAsync(ReplicaSets);
        Assert.Equal(2, sets.Count);
        var v1 = sets.Single(rs => Image((JsonObject)rs["spec"]!["template"]!) == "app:v1");
        Assert.Equal(0, ObjectFields.Long(v1["spec"], "replicas"));
        Assert.Equal("1", ObjectFields.String(v1["metadata"]?["annotations"], "deployment.kubernetes.io/revision"));

        // Undo as kubectl does it: the old set's template goes back into the Deployment.
        await cluster.Client.MergePatchAsync(Deployments, cluster.Namespace, "app",
            Json("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"app:v1"}]}}}}"""), null, default);
        await WaitForRolledOutAsync(cluster, "app", 10);

        sets = await cluster.ListAsync(ReplicaSets);
        Assert.Equal(2, sets.Count);
        v1 = sets.Single(rs => Image((JsonObject)rs["spec"]!["template"]!) == "app:v1");
        Assert.Equal(10, ObjectFields.Long(v1["spec"], "replicas"));
        Assert.Equal("3", ObjectFields.String(v1["metadata"]?["annotations"], "deployment.kubernetes.io/revision"));
        var d = await cluster.Client.GetAsync(Deployments, cluster.Namespace, "app", default);
        Assert.Equal("3", ObjectFields.String(d["metadata"]?["annotations"], "deployment.kubernetes.io/revision"));
    }

    [Fact]
    public async Task Deployment_Recreate_StopsEveryOldPodBeforeStartingNewOnes()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(Deployments, cluster.Namespace, Deployment("db", 3, "db:v1", """{"type":"Recreate"}"""), default);
        await WaitForRolledOutAsync(cluster, "db", 3);
        var mixed = false;
        using var watching = new CancellationTokenSource();
        var revision = (await cluster.Client.ListAsync(Pods, cluster.Namespace, default)).Revision;
        var images = (await cluster.ListAsync(Pods)).ToDictionary(p => p.Name()!, Image);
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in cluster.Client.WatchAsync(Pods, cluster.Namespace, revision, watching.Token))
                {
                    if (change.Type == ObjectEventType.Deleted)
                    {
                        images.Remove(change.Object.Name()!);
                    }
                    else
                    {
                        images[change.Object.Name()!] = Image(change.Object);
                    }

                    mixed |= images.Values.Distinct().Count() > 1;
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        await cluster.Client.MergePatchAsync(Deployments, cluster.Namespace, "db",
            Json("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"db:v2"}]}}}}"""), null, default);
        await WaitForRolledOutAsync(cluster, "db", 3);
        await watching.CancelAsync();
        await watcher;

        Assert.False(mixed, "old and new pods ran at the same time");
        Assert.All(await cluster.ListAsync(Pods), p => Assert.Equal("db:v2", Image(p)));
    }

    [Fact]
    public async Task Deployment_WithUnreadyNewPods_StopsWithinMaxUnavailable()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(Deployments, cluster.Namespace, Deployment("api", 4, "api:v1",
            """{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}"""), default);
        await WaitForRolledOutAsync(cluster, "api", 4);
        cluster.UnreadyImages["api:broken"] = true;

        await cluster.Client.MergePatchAsync(Deployments, cluster.Namespace, "api",
            Json("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"api:broken"}]}}}}"""), null, default);

        // 1 surge + 1 unavailable: two new (never ready) pods, three old ones kept.
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count(p => Image(p) == "api:broken") == 2, "2 new pods");
        await Task.Delay(500);
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(2, pods.Count(p => Image(p) == "api:broken"));
        Assert.Equal(3, pods.Count(p => Image(p) == "api:v1" && p.DeletionTimestamp() is null));
        var status = (await cluster.Client.GetAsync(Deployments, cluster.Namespace, "api", default))["status"];
        Assert.Equal(3, ObjectFields.Long(status, "availableReplicas"));
        Assert.Equal(2, ObjectFields.Long(status, "updatedReplicas"));
    }

    /// <summary>What <c>kubectl rollout status</c> waits for.</summary>
    internal static Task WaitForRolledOutAsync(ControllerCluster cluster, string name, int replicas) =>
        WaitForAsync(async () =>
        {
            var d = await cluster.Client.GetAsync(Deployments, cluster.Namespace, name, default);
            var status = d["status"];
            return ObjectFields.Long(status, "observedGeneration") >= ObjectFields.Long(d["metadata"], "generation") &&
                ObjectFields.Long(status, "updatedReplicas") == replicas && ObjectFields.Long(status, "replicas") == replicas &&
                ObjectFields.Long(status, "availableReplicas") == replicas;
        }, $"deployment {name} rolled out to {replicas}");
}
