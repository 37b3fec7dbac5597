using Edge.E2E.Tests.Infrastructure;
using k8s;
using k8s.Models;

// Watch on a list response is marked obsolete for a replacement 21.x does not ship.
#pragma warning disable CS0618

namespace Edge.E2E.Tests.Control;

/// <summary>
/// The scheduler and controllers inside the published edge-server, driven by real kubectl with
/// hollow nodes standing in for agents: rollouts, DaemonSets, Jobs, and nodes that lose power.
/// </summary>
public sealed class ControlPlaneTests : IAsyncLifetime
{
    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          replicas: 10
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: web:v1
                resources:
                  requests: {cpu: 100m, memory: 64Mi}
        """;

    private readonly TempDir _temp = new();
    private ServerProcess _server = null!;
    private Kubernetes _client = null!;

    public static TheoryData<string> KubectlVersions => new(Kubectl.Versions);

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(_temp, extraArgs: ["--node-monitor-grace-period", "4s", "--node-monitor-period", "500ms"]);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.Kubeconfig));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private Kubectl KubectlFor(string minor) => new(minor, _temp["kubectl-cache-" + minor]);

    private static void Ok(RunResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    private async Task<List<V1Pod>> PodsAsync(string selector) =>
        (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: selector)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Deployment_SpreadsRollsWithinMaxUnavailableAndUndoes(string minor)
    {
        var kubectl = KubectlFor(minor);
        await using var nodes = await HollowNodes.StartAsync(_client, ["node-a", "node-b", "node-c"]);
        var file = _temp["web.yaml"];
        await File.WriteAllTextAsync(file, Web);

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", file));
        var status = await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=90s");

        Ok(status);
        Assert.Contains("successfully rolled out", status.Stdout);
        var placed = (await PodsAsync("app=web")).GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["node-a", "node-b", "node-c"], placed.Keys.Order());
        Assert.All(placed.Values, count => Assert.InRange(count, 3, 4));

        // A watcher counts ready pods at every change while the image rolls (25% of 10: at most 2 unavailable).
        var ready = new Dictionary<string, bool>();
        foreach (var pod in await PodsAsync("app=web"))
        {
            ready[pod.Metadata.Name] = IsReady(pod);
        }

        var lowest = ready.Values.Count(r => r);
        var start = (await _client.CoreV1.ListNamespacedPodAsync("default")).Metadata.ResourceVersion;
        var response = _client.CoreV1.ListNamespacedPodWithHttpMessagesAsync("default", labelSelector: "app=web", watch: true, resourceVersion: start, timeoutSeconds: 120);
        using var watcher = response.Watch<V1Pod, V1PodList>((type, pod) =>
        {
            lock (ready)
            {
                if (type == WatchEventType.Deleted)
                {
                    ready.Remove(pod.Metadata.Name);
                }
                else
                {
                    ready[pod.Metadata.Name] = IsReady(pod) && pod.Metadata.DeletionTimestamp is null;
                }

                lowest = Math.Min(lowest, ready.Values.Count(r => r));
            }
        });

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "set", "image", "deployment/web", "web=web:v2"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=90s"));

        Assert.All(await PodsAsync("app=web"), p => Assert.Equal("web:v2", p.Spec.Containers[0].Image));
        lock (ready)
        {
            Assert.True(lowest >= 8, $"ready pods fell to {lowest} during the rollout (maxUnavailable 2 of 10)");
        }

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "undo", "deployment/web"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=90s"));

        Assert.All(await PodsAsync("app=web"), p => Assert.Equal("web:v1", p.Spec.Containers[0].Image));
        Assert.Equal(10, (await PodsAsync("app=web")).Count);
        var history = await kubectl.RunAsync(_server.Kubeconfig, "rollout", "history", "deployment/web");
        Ok(history);
        Assert.Matches(@"(?m)^2\s", history.Stdout);
        Assert.Matches(@"(?m)^3\s", history.Stdout);
        var describe = await kubectl.RunAsync(_server.Kubeconfig, "describe", "deployment", "web");
        Ok(describe);
        Assert.Contains("ScalingReplicaSet", describe.Stdout);
    }

    [Fact]
    public async Task DaemonSetStatefulSetAndJob_CoverEveryNodeStartInOrderAndCompleteWithARetry()
    {
        var kubectl = KubectlFor("1.33");
        await using var nodes = await HollowNodes.StartAsync(_client, ["node-a", "node-b"]);
        var file = _temp["ds.yaml"];
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: default}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers: [{name: agent, image: agent:v1}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              serviceName: db
              replicas: 3
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: db:v1}]
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: once, namespace: default}
            spec:
              completions: 2
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: once, image: once:v1}]
            """);

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", file));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "daemonset/agent", "--timeout=60s"));
        Assert.Equal(["node-a", "node-b"], (await PodsAsync("app=agent")).Select(p => p.Spec.NodeName).Order());
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "statefulset/db", "--timeout=60s"));
        Assert.Equal(["db-0", "db-1", "db-2"], (await PodsAsync("app=db")).Select(p => p.Metadata.Name).Order());

        // A new node gets its pod.
        await nodes.AddAsync("node-c");
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", "daemonset/agent", "--timeout=60s"));
        await WaitForAsync(async () => (await PodsAsync("app=agent")).Count == 3, "a DaemonSet pod on the new node");

        // The hollow kubelet keeps pods running; the test ends them: the first one fails (the Job
        // retries it after its back-off), the others succeed.
        var failedOne = false;
        await WaitForAsync(async () =>
        {
            foreach (var pod in await PodsAsync("batch.kubernetes.io/job-name=once"))
            {
                if (pod.Status?.Phase == "Running")
                {
                    var phase = failedOne ? "Succeeded" : "Failed";
                    failedOne = true;
                    await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch($$$"""{"status":{"phase":"{{{phase}}}"} }""", V1Patch.PatchType.MergePatch), pod.Metadata.Name, "default");
                }
            }

            return (await _client.BatchV1.ReadNamespacedJobAsync("once", "default")).Status?.Succeeded == 2;
        }, "the job to succeed twice after one failure", 90);

        var wait = await kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=condition=Complete", "job/once", "--timeout=60s");
        Ok(wait);
        Assert.Equal(1, (await _client.BatchV1.ReadNamespacedJobAsync("once", "default")).Status.Failed);
    }

    [Fact]
    public async Task NodeLosesPower_GoesNotReadyAndItsPodsAreEvictedUnlessAutonomous()
    {
        var kubectl = KubectlFor("1.33");
        await using var nodes = await HollowNodes.StartAsync(_client, ["shop-1"]);
        await nodes.AddAsync("ship-1", new Dictionary<string, string> { ["edge.io/autonomy"] = "true" });
        foreach (var (pod, node) in new[] { ("till", "shop-1"), ("radar", "ship-1") })
        {
            await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = pod, Labels = new Dictionary<string, string> { ["app"] = pod } },
                Spec = new V1PodSpec
                {
                    NodeName = node,
                    Containers = [new V1Container { Name = "c", Image = "busybox:1" }],
                    Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 }],
                },
            }, "default");
        }

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=condition=Ready", "pod/till", "pod/radar", "--timeout=30s"));

        nodes.Stop("shop-1");
        nodes.Stop("ship-1");

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=condition=Ready=Unknown", "node/shop-1", "node/ship-1", "--timeout=30s"));
        var table = await kubectl.RunAsync(_server.Kubeconfig, "get", "nodes");
        Ok(table);
        Assert.Matches(@"shop-1\s+NotReady", table.Stdout);
        Assert.Matches(@"ship-1\s+NotReady", table.Stdout);
        await WaitForAsync(async () => (await _client.CoreV1.ReadNamespacedPodAsync("till", "default")).Metadata.DeletionTimestamp is not null,
            "the pod on the dead node to be evicted after its 2 s toleration");
        await Task.Delay(3000);
        var radar = await _client.CoreV1.ReadNamespacedPodAsync("radar", "default");
        Assert.Null(radar.Metadata.DeletionTimestamp);
        Assert.Equal("ship-1", radar.Spec.NodeName);
        var shipTaints = (await _client.CoreV1.ReadNodeAsync("ship-1")).Spec.Taints.Select(t => $"{t.Key}:{t.Effect}");
        Assert.Equal(["node.kubernetes.io/unreachable:NoSchedule"], shipTaints);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task DeleteDeployment_EachCascadeMode_LeavesWhatUpstreamLeaves(string minor)
    {
        var kubectl = KubectlFor(minor);
        await using var nodes = await HollowNodes.StartAsync(_client, ["node-a", "node-b"]);
        foreach (var name in new[] { "bg", "orph", "fg" })
        {
            Ok(await kubectl.RunAsync(_server.Kubeconfig, "create", "deployment", name, "--image=busybox:1", "--replicas=2"));
        }

        foreach (var name in new[] { "bg", "orph", "fg" })
        {
            Ok(await kubectl.RunAsync(_server.Kubeconfig, "rollout", "status", $"deployment/{name}", "--timeout=60s"));
        }

        async Task<(int Sets, int Pods)> LeftAsync(string app) =>
            ((await _client.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: $"app={app}")).Items.Count,
             (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={app}")).Items.Count);

        // Background (kubectl's default): the Deployment goes at once, the collector takes the rest.
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "delete", "deployment", "bg"));
        await WaitForAsync(async () => await LeftAsync("bg") == (0, 0), "bg's replica set and pods collected");

        // Orphan: the ReplicaSet stays, released, and keeps its pods.
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "delete", "deployment", "orph", "--cascade=orphan"));
        await Task.Delay(2000);
        Assert.Equal((1, 2), await LeftAsync("orph"));
        var released = (await _client.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=orph")).Items[0];
        Assert.True(released.Metadata.OwnerReferences is null or { Count: 0 }, "the orphaned replica set still has an owner");

        // Foreground: kubectl waits until the Deployment is gone, which is after its dependents.
        var foreground = await kubectl.RunAsync(_server.Kubeconfig, "delete", "deployment", "fg", "--cascade=foreground", "--timeout=60s");
        Ok(foreground);
        Assert.Equal((0, 0), await LeftAsync("fg"));
        var gone = await kubectl.RunAsync(_server.Kubeconfig, "get", "deployment", "fg");
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Fact]
    public async Task UnschedulablePods_SayWhyAndScheduleWhenTheClusterChanges()
    {
        var kubectl = KubectlFor("1.33");
        await using var nodes = await HollowNodes.StartAsync(_client, ["node-a", "node-b"]);
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "taint", "node", "node-b", "dedicated=gpu:NoSchedule"));
        var file = _temp["pending.yaml"];
        await File.WriteAllTextAsync(file, """
            apiVersion: v1
            kind: Pod
            metadata: {name: huge, namespace: default}
            spec:
              containers: [{name: c, image: huge:1, resources: {requests: {cpu: "64"}}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: picky, namespace: default}
            spec:
              nodeSelector: {disk: ssd}
              containers: [{name: c, image: picky:1}]
            """);

        Ok(await kubectl.RunAsync(_server.Kubeconfig, "apply", "-f", file));

        RunResult describe = null!;
        await WaitForAsync(async () =>
        {
            describe = await kubectl.RunAsync(_server.Kubeconfig, "describe", "pod", "huge");
            return describe.Stdout.Contains("FailedScheduling", StringComparison.Ordinal);
        }, "a FailedScheduling event");
        Assert.Contains("0/2 nodes are available:", describe.Stdout);
        Assert.Contains("1 Insufficient cpu", describe.Stdout);
        Assert.Contains("1 node(s) had untolerated taint {dedicated: gpu}", describe.Stdout);
        var pending = await kubectl.RunAsync(_server.Kubeconfig, "get", "pod", "picky", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].reason}");
        Ok(pending);
        Assert.Equal("Unschedulable", pending.Stdout.Trim());

        // A label that satisfies the selector: the waiting pod is retried and lands there.
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "label", "node", "node-a", "disk=ssd"));
        Ok(await kubectl.RunAsync(_server.Kubeconfig, "wait", "--for=condition=Ready", "pod/picky", "--timeout=30s"));
        Assert.Equal("node-a", (await _client.CoreV1.ReadNamespacedPodAsync("picky", "default")).Spec.NodeName);
    }

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {seconds} s waiting for {what}");
            await Task.Delay(100);
        }
    }
}
