using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Admission;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.Store.Embedded;

namespace Edge.ApiServer.Tests.Registry;

/// <summary>The registry's write rules against a real embedded store in a temp dir.</summary>
public sealed class ObjectRegistryTests : IAsyncLifetime
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    private static readonly ResourceType Deployments = ResourceCatalog.Find("apps", "v1", "deployments")!;
    private static readonly ResourceType Services = ResourceCatalog.Find("", "v1", "services")!;
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-registry-").FullName;
    private EmbeddedStore _store = null!;
    private ObjectRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _store = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        _registry = new ObjectRegistry(_store, new ResourceStrategies(ServiceNetwork.Default), TimeProvider.System);
        await _registry.CreateAsync(Namespaces, null, Obj("""{"metadata":{"name":"ns"}}"""), new WriteOptions(), default);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Create_Twice_IsAlreadyExists()
    {
        await _registry.CreateAsync(ConfigMaps, "ns", Obj("""{"metadata":{"name":"a"},"data":{"k":"v"}}"""), new WriteOptions(), default);

        var e = await Assert.ThrowsAsync<ApiException>(() =>
            _registry.CreateAsync(ConfigMaps, "ns", Obj("""{"metadata":{"name":"a"}}"""), new WriteOptions(), default));

        Assert.Equal(409, e.Status.Code);
        Assert.Equal("AlreadyExists", e.Status.Reason);
    }

    [Fact]
    public async Task Create_InMissingNamespace_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<ApiException>(() =>
            _registry.CreateAsync(ConfigMaps, "nowhere", Obj("""{"metadata":{"name":"a"}}"""), new WriteOptions(), default));

        Assert.Equal(404, e.Status.Code);
        Assert.Equal("namespaces \"nowhere\" not found", e.Status.Message);
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_IsConflictAndChangesNothing()
    {
        var created = await _registry.CreateAsync(ConfigMaps, "ns", Obj("""{"metadata":{"name":"a"},"data":{"k":"1"}}"""), new WriteOptions(), default);
        var stale = (JsonObject)created.DeepClone();
        created["data"]!["k"] = "2";
        await _registry.UpdateAsync(ConfigMaps, "ns", "a", null, created, new WriteOptions(), default);
        stale["data"]!["k"] = "3";

        var e = await Assert.ThrowsAsync<ApiException>(() => _registry.UpdateAsync(ConfigMaps, "ns", "a", null, stale, new WriteOptions(), default));

        Assert.Equal(409, e.Status.Code);
        Assert.Equal("Conflict", e.Status.Reason);
        Assert.Equal("2", (await _registry.GetAsync(ConfigMaps, "ns", "a", default))["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_SpecChangeBumpsGeneration_StatusWriteDoesNot()
    {
        var created = await _registry.CreateAsync(Deployments, "ns", Obj(Deployment("web", "busybox:1")), new WriteOptions(), default);
        Assert.Equal(1, Number(created["metadata"]!["generation"]));

        var labelled = await _registry.UpdateWithAsync(Deployments, "ns", "web", null, d =>
        {
            d["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
            return d;
        }, new WriteOptions(), default);
        var imaged = await _registry.UpdateWithAsync(Deployments, "ns", "web", null, d =>
        {
            d["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "busybox:2";
            d["status"] = new JsonObject { ["replicas"] = 99 };
            return d;
        }, new WriteOptions(), default);
        var statused = await _registry.UpdateWithAsync(Deployments, "ns", "web", "status", d =>
        {
            d["status"] = new JsonObject { ["replicas"] = 1 };
            d["spec"]!["replicas"] = 7;
            return d;
        }, new WriteOptions(), default);

        Assert.Equal(1, Number(labelled["metadata"]!["generation"]));
        Assert.Equal(2, Number(imaged["metadata"]!["generation"]));
        Assert.Null(imaged["status"]);
        Assert.Equal(2, Number(statused["metadata"]!["generation"]));
        Assert.Equal(1, Number(statused["status"]!["replicas"]));
        Assert.Equal(1, Number(statused["spec"]!["replicas"]));
    }

    [Fact]
    public async Task Create_InvalidDeployment_IsInvalidWithFieldCauses()
    {
        var bad = Obj(Deployment("web", "")) ;
        bad["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"other"}}""");

        var e = await Assert.ThrowsAsync<ApiException>(() => _registry.CreateAsync(Deployments, "ns", bad, new WriteOptions(), default));

        Assert.Equal(422, e.Status.Code);
        var fields = e.Status.Details!.Causes!.Select(c => c.Field).ToList();
        Assert.Contains("spec.template.spec.containers[0].image", fields);
        Assert.Contains("spec.template.metadata.labels", fields);
        Assert.Empty((await _registry.ListAsync(Deployments, "ns", new ListOptions(), default)).Kvs);
    }

    [Fact]
    public async Task Services_SameClusterIpTwice_SecondIsInvalid_AndDeleteReleasesIt()
    {
        const string body = """{"metadata":{"name":"NAME"},"spec":{"clusterIP":"10.43.0.50","type":"NodePort","ports":[{"port":80,"nodePort":30080}]}}""";
        await _registry.CreateAsync(Services, "ns", Obj(body.Replace("NAME", "a")), new WriteOptions(), default);

        var e = await Assert.ThrowsAsync<ApiException>(() =>
            _registry.CreateAsync(Services, "ns", Obj(body.Replace("NAME", "b")), new WriteOptions(), default));
        await _registry.DeleteAsync(Services, "ns", "a", new DeleteOptions(), default);
        var again = await _registry.CreateAsync(Services, "ns", Obj(body.Replace("NAME", "c")), new WriteOptions(), default);

        Assert.Equal(422, e.Status.Code);
        Assert.Contains("provided IP is already allocated", e.Status.Message);
        Assert.Equal("10.43.0.50", again["spec"]!["clusterIP"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_WithFinalizer_MarksThenRemovesWhenFinalizerGoes()
    {
        await _registry.CreateAsync(ConfigMaps, "ns", Obj("""{"metadata":{"name":"held","finalizers":["example.com/hold"]}}"""), new WriteOptions(), default);

        var outcome = await _registry.DeleteAsync(ConfigMaps, "ns", "held", new DeleteOptions(), default);
        var marked = await _registry.GetAsync(ConfigMaps, "ns", "held", default);
        await _registry.UpdateWithAsync(ConfigMaps, "ns", "held", null, c =>
        {
            c["metadata"]!["finalizers"] = new JsonArray();
            return c;
        }, new WriteOptions(), default);

        Assert.False(outcome.Removed);
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        var e = await Assert.ThrowsAsync<ApiException>(() => _registry.GetAsync(ConfigMaps, "ns", "held", default));
        Assert.Equal(404, e.Status.Code);
    }

    [Fact]
    public async Task Delete_BoundPod_IsGraceful_UnboundPodGoesAtOnce()
    {
        await _registry.CreateAsync(Pods, "ns", Obj(Pod("bound", "node-1")), new WriteOptions(), default);
        await _registry.CreateAsync(Pods, "ns", Obj(Pod("unbound", null)), new WriteOptions(), default);

        var bound = await _registry.DeleteAsync(Pods, "ns", "bound", new DeleteOptions(), default);
        var unbound = await _registry.DeleteAsync(Pods, "ns", "unbound", new DeleteOptions(), default);
        var forced = await _registry.DeleteAsync(Pods, "ns", "bound", new DeleteOptions { GracePeriodSeconds = 0 }, default);

        Assert.False(bound.Removed);
        Assert.Equal(30, Number(bound.Object["metadata"]!["deletionGracePeriodSeconds"]));
        Assert.True(unbound.Removed);
        Assert.True(forced.Removed);
    }

    [Fact]
    public async Task ImmutableConfigMap_DataCannotChange_LabelsCan()
    {
        await _registry.CreateAsync(ConfigMaps, "ns", Obj("""{"metadata":{"name":"fixed"},"immutable":true,"data":{"k":"v"}}"""), new WriteOptions(), default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _registry.UpdateWithAsync(ConfigMaps, "ns", "fixed", null, c =>
        {
            c["data"]!["k"] = "changed";
            return c;
        }, new WriteOptions(), default));
        var labelled = await _registry.UpdateWithAsync(ConfigMaps, "ns", "fixed", null, c =>
        {
            c["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
            return c;
        }, new WriteOptions(), default);

        Assert.Equal(422, e.Status.Code);
        Assert.Contains("data: Forbidden: field is immutable when `immutable` is set", e.Status.Message);
        Assert.Equal("b", labelled["metadata"]!["labels"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_PodWithBadQuantity_IsInvalid()
    {
        var pod = Obj(Pod("greedy", null));
        pod["spec"]!["containers"]![0]!["resources"] = JsonNode.Parse("""{"limits":{"memory":"lots"}}""");

        var e = await Assert.ThrowsAsync<ApiException>(() => _registry.CreateAsync(Pods, "ns", pod, new WriteOptions(), default));

        Assert.Equal(422, e.Status.Code);
        Assert.Equal("spec.containers[0].resources.limits[memory]", e.Status.Details!.Causes![0].Field);
    }

    [Fact]
    public async Task List_PagesAreConsistentAndComplete()
    {
        for (var i = 0; i < 25; i++)
        {
            var labels = new JsonObject { ["even"] = (i % 2 == 0).ToString() };
            await _registry.CreateAsync(ConfigMaps, "ns", new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"cm-{i:D2}", ["labels"] = labels } }, new WriteOptions(), default);
        }

        var names = new List<string>();
        string? token = null;
        long? revision = null;
        do
        {
            var page = await _registry.ListAsync(ConfigMaps, "ns", new ListOptions
            {
                Limit = 4,
                Continue = token,
                Labels = Api.Selectors.LabelSelector.Parse("even=True"),
            }, default);
            revision ??= page.Revision;
            Assert.Equal(revision, page.Revision);
            names.AddRange(page.Items.Select(o => o["metadata"]!["name"]!.GetValue<string>()));
            token = page.Continue;
            // A write between pages must not show up in this list.
            var late = new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"late-{names.Count}", ["labels"] = new JsonObject { ["even"] = "True" } } };
            await _registry.CreateAsync(ConfigMaps, "ns", late, new WriteOptions(), default);
        }
        while (token is not null);

        Assert.Equal(Enumerable.Range(0, 25).Where(i => i % 2 == 0).Select(i => $"cm-{i:D2}"), names);
    }

    /// <summary>A number however the tree holds it (parsed, or set in-process as an int).</summary>
    private static long Number(JsonNode? node) => long.Parse(node!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static string Deployment(string name, string image) =>
        """{"metadata":{"name":"NAME"},"spec":{"selector":{"matchLabels":{"app":"NAME"}},"template":{"metadata":{"labels":{"app":"NAME"}},"spec":{"containers":[{"name":"c","image":"IMAGE"}]}}}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal);

    private static string Pod(string name, string? node) =>
        """{"metadata":{"name":"NAME"},"spec":{NODE"containers":[{"name":"c","image":"busybox"}]}}"""
            .Replace("NAME", name, StringComparison.Ordinal).Replace("NODE", node is null ? "" : $"\"nodeName\":\"{node}\",", StringComparison.Ordinal);
}
