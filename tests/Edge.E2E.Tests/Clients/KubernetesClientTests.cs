using System.Net;
using Edge.E2E.Tests.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

// Watch/WatchAsync on a list response are marked obsolete for a replacement 21.x does not ship;
// they are what the client's users call today, so they are what we test.
#pragma warning disable CS0618

namespace Edge.E2E.Tests.Clients;

/// <summary>
/// The official C# client (KubernetesClient) against a real server, loaded from the admin
/// kubeconfig the server writes: the typed CRUD, patch, watch and error paths its users rely on.
/// </summary>
public sealed class KubernetesClientTests : IDisposable
{
    private const string Ns = "client-tests";

    private static readonly TimeSpan WatchDeadline = TimeSpan.FromSeconds(20);

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(ServerProcess Server, Kubernetes Client)> StartAsync()
    {
        var server = await ServerProcess.StartAsync(_temp);
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        return (server, client);
    }

    // Another scheduler's pods: the built-in scheduler would otherwise write their status (there
    // are no nodes here), and the watch tests see exactly the changes they make themselves.
    private static V1Pod Pod(string name, string app = "web") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec
        {
            SchedulerName = "test-scheduler",
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sleep", "3600"] }],
        },
    };

    [Fact]
    public async Task ConfigMap_CreateGetListPatchReplaceDelete_RoundTrips()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings", Labels = new Dictionary<string, string> { ["tier"] = "backend" } },
            Data = new Dictionary<string, string> { ["mode"] = "fast" },
        }, Ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "other", Labels = new Dictionary<string, string> { ["tier"] = "frontend" } },
        }, Ns);
        var got = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        var backend = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "tier=backend");
        var notBackend = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "tier!=backend");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, got.Metadata.ResourceVersion);
        Assert.Equal("fast", got.Data["mode"]);
        Assert.Equal(["settings"], backend.Items.Select(c => c.Metadata.Name));
        Assert.Contains("other", notBackend.Items.Select(c => c.Metadata.Name));
        Assert.DoesNotContain("settings", notBackend.Items.Select(c => c.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(backend.Metadata.ResourceVersion));

        var merged = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"size":"large","mode":null}}""", V1Patch.PatchType.MergePatch), "settings", Ns);
        Assert.Equal(new Dictionary<string, string> { ["size"] = "large" }, merged.Data);

        var strategic = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"labels":{"patched":"yes"}},"data":{"mode":"slow"}}""", V1Patch.PatchType.StrategicMergePatch), "settings", Ns);
        Assert.Equal("yes", strategic.Metadata.Labels["patched"]);
        Assert.Equal("backend", strategic.Metadata.Labels["tier"]);
        Assert.Equal("slow", strategic.Data["mode"]);
        Assert.Equal("large", strategic.Data["size"]);

        var json = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""[{"op":"replace","path":"/data/size","value":"small"}]""", V1Patch.PatchType.JsonPatch), "settings", Ns);
        Assert.Equal("small", json.Data["size"]);

        json.Data = new Dictionary<string, string> { ["only"] = "this" };
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(json, "settings", Ns);
        Assert.Equal(new Dictionary<string, string> { ["only"] = "this" }, replaced.Data);
        Assert.NotEqual(json.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", Ns);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("settings", Ns));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        // kube-root-ca.crt is the cluster's (published into every namespace), not the test's.
        Assert.Equal(["other"], (await client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Items.Select(c => c.Metadata.Name).Where(n => n != "kube-root-ca.crt"));
    }

    [Fact]
    public async Task Pod_CreateGetListPatchReplaceDelete_RoundTrips()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1"), Ns);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("db-1", app: "db"), Ns);
        var got = await client.CoreV1.ReadNamespacedPodAsync("web-1", Ns);
        var web = await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app in (web)");
        var all = await client.CoreV1.ListNamespacedPodAsync(Ns);

        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        Assert.Equal("busybox:1.36", got.Spec.Containers.Single().Image);
        Assert.Equal(["web-1"], web.Items.Select(p => p.Metadata.Name));
        Assert.Equal(["db-1", "web-1"], all.Items.Select(p => p.Metadata.Name).Order());

        // Strategic merge: containers merge by name, so only the image of "main" changes.
        var strategic = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch(
            """{"metadata":{"labels":{"track":"canary"}},"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}""",
            V1Patch.PatchType.StrategicMergePatch), "web-1", Ns);
        var container = Assert.Single(strategic.Spec.Containers);
        Assert.Equal("busybox:1.37", container.Image);
        Assert.Equal(["sleep", "3600"], container.Command);
        Assert.Equal("canary", strategic.Metadata.Labels["track"]);
        Assert.Equal("web", strategic.Metadata.Labels["app"]);

        var merged = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"annotations":{"note":"merged"},"labels":{"track":null}}}""", V1Patch.PatchType.MergePatch), "web-1", Ns);
        Assert.Equal("merged", merged.Metadata.Annotations["note"]);
        Assert.False(merged.Metadata.Labels.ContainsKey("track"));

        merged.Metadata.Labels["app"] = "web2";
        merged.Spec.Containers[0].Image = "busybox:1.38";
        var replaced = await client.CoreV1.ReplaceNamespacedPodAsync(merged, "web-1", Ns);
        Assert.Equal("web2", replaced.Metadata.Labels["app"]);
        Assert.Equal("busybox:1.38", replaced.Spec.Containers[0].Image);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=web")).Items);

        await client.CoreV1.DeleteNamespacedPodAsync("web-1", Ns);
        Assert.Equal(["db-1"], (await client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task Deployment_CreateGetListPatchReplaceDelete_RoundTrips()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var labels = new Dictionary<string, string> { ["app"] = "api" };
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "api", Labels = new Dictionary<string, string>(labels) },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container { Name = "api", Image = "nginx:1.27", Env = [new V1EnvVar { Name = "A", Value = "1" }] },
                            new V1Container { Name = "sidecar", Image = "busybox:1.36" },
                        ],
                    },
                },
            },
        };

        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns);
        var got = await client.AppsV1.ReadNamespacedDeploymentAsync("api", Ns);
        var listed = await client.AppsV1.ListNamespacedDeploymentAsync(Ns, labelSelector: "app=api");
        var none = await client.AppsV1.ListNamespacedDeploymentAsync(Ns, labelSelector: "app=nope");

        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        Assert.Equal(2, got.Spec.Replicas);
        Assert.Equal(["api"], listed.Items.Select(d => d.Metadata.Name));
        Assert.Empty(none.Items);

        // Strategic merge keyed by container name and env name: "api" gains B, "sidecar" is untouched.
        var strategic = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"containers":[{"name":"api","env":[{"name":"B","value":"2"}]}]}}}}""",
            V1Patch.PatchType.StrategicMergePatch), "api", Ns);
        var containers = strategic.Spec.Template.Spec.Containers;
        Assert.Equal(["api", "sidecar"], containers.Select(c => c.Name));
        Assert.Equal(["A", "B"], containers[0].Env.Select(e => e.Name).Order());
        Assert.Equal("busybox:1.36", containers[1].Image);

        var merged = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "api", Ns);
        Assert.Equal(5, merged.Spec.Replicas);
        Assert.Equal(2, merged.Spec.Template.Spec.Containers.Count);

        // The deployment controller writes status meanwhile, so a replace is a read-modify-write
        // retried on 409, as client-go's RetryOnConflict does it.
        V1Deployment? replaced = null;
        for (var attempt = 0; replaced is null; attempt++)
        {
            var current = await client.AppsV1.ReadNamespacedDeploymentAsync("api", Ns);
            current.Spec.Replicas = 1;
            current.Spec.Template.Spec.Containers.RemoveAt(1);
            try
            {
                replaced = await client.AppsV1.ReplaceNamespacedDeploymentAsync(current, "api", Ns);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
            }
        }

        Assert.Equal(1, replaced.Spec.Replicas);
        Assert.Equal(["api"], replaced.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.True(replaced.Metadata.Generation > created.Metadata.Generation);

        await client.AppsV1.DeleteNamespacedDeploymentAsync("api", Ns, propagationPolicy: "Background");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.ReadNamespacedDeploymentAsync("api", Ns));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task WatchPods_SeesAddedModifiedDeletedForOurChanges()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var events = new List<(WatchEventType Type, string Name, string? App)>();
        var deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<Exception>();
        var start = (await client.CoreV1.ListNamespacedPodAsync(Ns)).Metadata.ResourceVersion;

        // Not awaited: the client returns the response only once the first event line arrives, and
        // none will before the changes below. Starting from the list's resourceVersion, none is lost.
        var response = client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns, watch: true, resourceVersion: start, timeoutSeconds: 60);
        using var watcher = response.Watch<V1Pod, V1PodList>(
            (type, pod) =>
            {
                lock (events)
                {
                    events.Add((type, pod.Metadata.Name, pod.Metadata.Labels?.TryGetValue("app", out var app) == true ? app : null));
                }

                if (type == WatchEventType.Deleted)
                {
                    deleted.TrySetResult();
                }
            },
            e =>
            {
                lock (errors)
                {
                    errors.Add(e);
                }
            });

        await client.CoreV1.CreateNamespacedPodAsync(Pod("watched"), Ns);
        await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"app":"changed"}}}""", V1Patch.PatchType.MergePatch), "watched", Ns);
        await client.CoreV1.DeleteNamespacedPodAsync("watched", Ns);
        await deleted.Task.WaitAsync(WatchDeadline);

        Assert.Empty(errors);
        lock (events)
        {
            Assert.Equal(
                [(WatchEventType.Added, "watched", "web"), (WatchEventType.Modified, "watched", "changed"), (WatchEventType.Deleted, "watched", "changed")],
                events);
        }
    }

    [Fact]
    public async Task WatchPods_ResumedFromEarlierResourceVersion_ReceivesExactlyTheLaterEvents()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var first = await client.CoreV1.CreateNamespacedPodAsync(Pod("first"), Ns);
        var resumeFrom = first.Metadata.ResourceVersion;

        // Changes made while nobody watches: the resumed watch must replay exactly these.
        var second = await client.CoreV1.CreateNamespacedPodAsync(Pod("second"), Ns);
        var patched = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"step":"1"}}}""", V1Patch.PatchType.MergePatch), "first", Ns);
        await client.CoreV1.DeleteNamespacedPodAsync("second", Ns);
        var expected = new List<(WatchEventType, string, string)>
        {
            (WatchEventType.Added, "second", second.Metadata.ResourceVersion),
            (WatchEventType.Modified, "first", patched.Metadata.ResourceVersion),
        };

        using var cancel = new CancellationTokenSource(WatchDeadline);
        var seen = new List<(WatchEventType Type, string Name, string Rv)>();
        var live = false;
        await foreach (var (type, pod) in client.CoreV1
            .ListNamespacedPodWithHttpMessagesAsync(Ns, watch: true, resourceVersion: resumeFrom, timeoutSeconds: 60, cancellationToken: cancel.Token)
            .WatchAsync<V1Pod, V1PodList>(cancellationToken: cancel.Token))
        {
            seen.Add((type, pod.Metadata.Name, pod.Metadata.ResourceVersion));
            if (type == WatchEventType.Deleted && pod.Metadata.Name == "second" && !live)
            {
                // The replayed history is done; a change made now must follow it exactly once.
                live = true;
                var third = await client.CoreV1.CreateNamespacedPodAsync(Pod("third"), Ns);
                expected.Add((WatchEventType.Deleted, "second", pod.Metadata.ResourceVersion));
                expected.Add((WatchEventType.Added, "third", third.Metadata.ResourceVersion));
            }

            if (pod.Metadata.Name == "third")
            {
                break;
            }
        }

        Assert.Equal(expected, seen);
        var versions = seen.Select(e => long.Parse(e.Rv)).ToList();
        Assert.True(versions[0] > long.Parse(resumeFrom), $"first event {versions[0]} is not after {resumeFrom}");
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public async Task Get_MissingObject_ThrowsNotFoundWithStatusBody()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedPodAsync("absent", Ns));
        var status = ReadStatus(error);

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        Assert.Equal(404, status.Code);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("pods \"absent\" not found", status.Message);
        Assert.Equal("absent", status.Details.Name);
        Assert.Equal("pods", status.Details.Kind);
    }

    [Fact]
    public async Task Create_Twice_ThrowsConflictAlreadyExists()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "twice" } };
        await client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Ns);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(configMap, Ns));
        var status = ReadStatus(error);

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal(409, status.Code);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("configmaps \"twice\" already exists", status.Message);
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_ThrowsConflict()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var stale = await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "racy" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "racy" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "racy" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
                },
            },
        }, Ns);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "racy", Ns);

        stale.Spec.Replicas = 7;
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.ReplaceNamespacedDeploymentAsync(stale, "racy", Ns));
        var status = ReadStatus(error);

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.StartsWith("Operation cannot be fulfilled on deployments.apps \"racy\"", status.Message);
        Assert.Equal(3, (await client.AppsV1.ReadNamespacedDeploymentAsync("racy", Ns)).Spec.Replicas);
    }

    private static V1Status ReadStatus(HttpOperationException error)
    {
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal("v1", status.ApiVersion);
        return status;
    }
}
