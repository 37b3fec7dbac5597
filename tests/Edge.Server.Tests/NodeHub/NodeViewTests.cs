using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Edge.Server.NodeHub;

namespace Edge.Server.Tests.NodeHub;

public sealed class NodeViewTests
{
    /// <summary>The store as the view reads it: objects by resource and key, each with the revisions it existed at.</summary>
    private readonly Dictionary<(ResourceType, string), List<(long From, JsonObject? Obj)>> _history = [];

    private void Put(ResourceType resource, JsonObject? obj, string key, long revision)
    {
        if (!_history.TryGetValue((resource, key), out var versions))
        {
            _history[(resource, key)] = versions = [];
        }

        versions.Add((revision, obj));
    }

    private Task<JsonObject?> FetchAsync(ResourceType resource, string ns, string name, long revision, CancellationToken cancellationToken) =>
        Task.FromResult(_history.TryGetValue((resource, $"{ns}/{name}"), out var versions)
            ? versions.LastOrDefault(v => v.From <= revision).Obj
            : null);

    private NodeView View() => new("pi-1", FetchAsync);

    private static JsonObject Pod(string name, string node, string uid, string? configMap = null, string? secretEnv = null)
    {
        var spec = new JsonObject { ["nodeName"] = node, ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "nginx" }) };
        if (configMap is not null)
        {
            spec["volumes"] = new JsonArray(new JsonObject { ["name"] = "v", ["configMap"] = new JsonObject { ["name"] = configMap } });
        }

        if (secretEnv is not null)
        {
            spec["containers"]![0]!["env"] = new JsonArray(new JsonObject
            {
                ["name"] = "E",
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secretEnv, ["key"] = "k" } },
            });
        }

        return new JsonObject { ["metadata"] = new JsonObject { ["namespace"] = "default", ["name"] = name, ["uid"] = uid }, ["spec"] = spec };
    }

    private static JsonObject Data(string name, string value) =>
        new() { ["metadata"] = new JsonObject { ["namespace"] = "default", ["name"] = name }, ["data"] = new JsonObject { ["k"] = value } };

    private static List<string> Names(IEnumerable<Google.Protobuf.ByteString> objects) =>
        objects.Select(b => (string)ObjectJson.Decode(b)["metadata"]!["name"]!).Order().ToList();

    [Fact]
    public async Task Load_KeepsOnlyThisNodesPods_AndWhatTheyReference()
    {
        Put(NodeView.ConfigMaps, Data("cfg", "1"), "default/cfg", 3);
        Put(NodeView.ConfigMaps, Data("other", "1"), "default/other", 3);
        Put(NodeView.Secrets, Data("token", "s"), "default/token", 3);
        var view = View();

        await view.LoadAsync(
            [Pod("mine", "pi-1", "u1", configMap: "cfg", secretEnv: "token"), Pod("theirs", "pi-2", "u2", configMap: "other")],
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = "pi-1" }, ["spec"] = new JsonObject { ["podCIDR"] = "10.42.1.0/24" } },
            5, default);
        var snapshot = view.ToSnapshot();

        Assert.Equal(5, snapshot.Revision);
        Assert.Equal(["mine"], Names(snapshot.Pods));
        Assert.Equal(["cfg"], Names(snapshot.ConfigMaps));
        Assert.Equal(["token"], Names(snapshot.Secrets));
        Assert.Equal("10.42.1.0/24", snapshot.PodCidr);
    }

    [Fact]
    public async Task Apply_NewPodReferencingAnExistingConfigMap_SendsBoth_AndFollowsTheConfigMap()
    {
        Put(NodeView.ConfigMaps, Data("cfg", "1"), "default/cfg", 3);
        var view = View();
        await view.LoadAsync([], null, 5, default);
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Pods, Pod("web", "pi-1", "u1", configMap: "cfg"), null, 6, delta, default);
        var first = delta.Build(view.Revision);
        delta.Clear();
        await view.ApplyAsync(NodeView.ConfigMaps, Data("cfg", "2"), Data("cfg", "1"), 7, delta, default);
        await view.ApplyAsync(NodeView.ConfigMaps, Data("unrelated", "x"), null, 8, delta, default);
        var second = delta.Build(view.Revision);

        Assert.Equal(["web"], Names(first.UpsertedPods));
        Assert.Equal(["cfg"], Names(first.UpsertedConfigMaps));
        Assert.Equal(8, second.Revision);
        Assert.Empty(second.UpsertedPods);
        Assert.Equal("2", (string?)ObjectJson.Decode(second.UpsertedConfigMaps.Single())["data"]!["k"]);
    }

    [Fact]
    public async Task Apply_OtherNodesPod_IsNoChange()
    {
        var view = View();
        await view.LoadAsync([], null, 5, default);
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Pods, Pod("theirs", "pi-2", "u2"), null, 6, delta, default);

        Assert.True(delta.IsEmpty);
        Assert.Equal(6, view.Revision);
    }

    [Fact]
    public async Task Apply_PodDeleted_RemovesIt_AndTheConfigMapOnlyItUsed()
    {
        Put(NodeView.ConfigMaps, Data("cfg", "1"), "default/cfg", 3);
        Put(NodeView.ConfigMaps, Data("shared", "1"), "default/shared", 3);
        var view = View();
        var a = Pod("a", "pi-1", "ua", configMap: "cfg");
        var b = Pod("b", "pi-1", "ub", configMap: "shared");
        var c = Pod("c", "pi-1", "uc", configMap: "shared");
        await view.LoadAsync([a, b, c], null, 5, default);
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Pods, null, a, 6, delta, default);
        await view.ApplyAsync(KnownResources.Pods, null, b, 7, delta, default);
        var built = delta.Build(view.Revision);

        Assert.Equal(["ua", "ub"], built.RemovedPods.Select(r => r.Uid).Order());
        Assert.Equal(["cfg"], built.RemovedConfigMaps.Select(r => r.Name));
        Assert.Equal(["shared"], view.ConfigMapObjects.Values.Select(o => (string)o["metadata"]!["name"]!));
    }

    [Fact]
    public async Task Apply_TerminatingPod_StaysUntilDeleted()
    {
        var view = View();
        var pod = Pod("a", "pi-1", "ua");
        await view.LoadAsync([pod], null, 5, default);
        var terminating = (JsonObject)pod.DeepClone();
        terminating["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Pods, terminating, pod, 6, delta, default);

        Assert.Equal("2026-01-01T00:00:00Z", (string?)ObjectJson.Decode(delta.Build(6).UpsertedPods.Single())["metadata"]!["deletionTimestamp"]);
        Assert.True(view.Pods.ContainsKey("ua"));
    }

    [Fact]
    public async Task Apply_ChangesAtOrBeforeTheViewsRevision_AreIgnored()
    {
        var view = View();
        await view.LoadAsync([], null, 5, default);
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Pods, Pod("old", "pi-1", "u0"), null, 5, delta, default);

        Assert.True(delta.IsEmpty);
        Assert.Empty(view.Pods);
    }

    [Fact]
    public async Task Apply_NodePodCidrChange_IsInTheDelta_OtherNodesAreNot()
    {
        var view = View();
        await view.LoadAsync([], null, 5, default);
        var delta = new DeltaBuilder();

        await view.ApplyAsync(KnownResources.Nodes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "pi-2" }, ["spec"] = new JsonObject { ["podCIDR"] = "10.42.2.0/24" } }, null, 6, delta, default);
        Assert.True(delta.IsEmpty);
        await view.ApplyAsync(KnownResources.Nodes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "pi-1" }, ["spec"] = new JsonObject { ["podCIDR"] = "10.42.1.0/24" } }, null, 7, delta, default);

        var built = delta.Build(view.Revision);
        Assert.True(built.HasPodCidr);
        Assert.Equal("10.42.1.0/24", built.PodCidr);
    }
}
