using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Resources;
using Edge.ApiServer.Admission;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.Store.Embedded;

namespace Edge.ApiServer.Tests.Security;

/// <summary>The node authorizer and NodeRestriction over a real registry: what a node may read and write.</summary>
public sealed class NodeAuthorizerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-nodeauthz-").FullName;
    private EmbeddedStore _store = null!;
    private ObjectRegistry _registry = null!;
    private NodeAuthorizer _authorizer = null!;

    private static readonly UserInfo NodeA = UserInfo.Create("system:node:a", [UserInfo.Nodes]);

    public async Task InitializeAsync()
    {
        _store = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        _registry = new ObjectRegistry(_store, new ResourceStrategies(ServiceNetwork.Default), TimeProvider.System);
        _authorizer = new NodeAuthorizer(_registry);
        await Create(KnownResources.Namespaces, null, """{"metadata":{"name":"shop"}}""");
        await Create(KnownResources.Pods, "shop", """
            {"metadata":{"name":"on-a"},"spec":{"nodeName":"a","serviceAccountName":"robot","imagePullSecrets":[{"name":"pull"}],
             "containers":[{"name":"c","image":"x","env":[{"name":"E","valueFrom":{"secretKeyRef":{"name":"env-secret","key":"k"}}}],
               "envFrom":[{"configMapRef":{"name":"env-cm"}}]}],
             "initContainers":[{"name":"i","image":"x","envFrom":[{"secretRef":{"name":"init-secret"}}]}],
             "volumes":[{"name":"v","projected":{"sources":[{"secret":{"name":"projected-secret"}},{"configMap":{"name":"projected-cm"}}]}}]}}
            """);
        await Create(KnownResources.Pods, "shop", """{"metadata":{"name":"on-b"},"spec":{"nodeName":"b","containers":[{"name":"c","image":"x"}],"volumes":[{"name":"v","secret":{"secretName":"b-secret"}}]}}""");
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("secrets", "pull", true)]
    [InlineData("secrets", "env-secret", true)]
    [InlineData("secrets", "init-secret", true)]
    [InlineData("secrets", "projected-secret", true)]
    [InlineData("configmaps", "env-cm", true)]
    [InlineData("configmaps", "projected-cm", true)]
    [InlineData("serviceaccounts", "robot", true)]
    [InlineData("secrets", "b-secret", false)]
    [InlineData("secrets", "env-cm", false)]
    [InlineData("configmaps", "env-secret", false)]
    [InlineData("serviceaccounts", "default", false)]
    public async Task Node_ReadsOnlyWhatItsPodsUse(string resource, string name, bool allowed)
    {
        Assert.Equal(allowed, await Allows(Attributes("get", resource, "shop", name)));
        Assert.Equal(allowed, await Allows(Attributes("watch", resource, "shop", name)));
        Assert.False(await Allows(Attributes("list", resource, "shop", "")));
        Assert.False(await Allows(Attributes("get", resource, "other", name)));
        Assert.False(await Allows(Attributes("delete", resource, "shop", name)));
    }

    [Theory]
    [InlineData("update", "nodes", "", "", "a", true)]
    [InlineData("patch", "nodes", "status", "", "a", true)]
    [InlineData("patch", "nodes", "", "", "b", false)]
    [InlineData("update", "nodes", "status", "", "b", false)]
    [InlineData("delete", "nodes", "", "", "b", false)]
    [InlineData("list", "nodes", "", "", "", true)]
    [InlineData("patch", "pods", "status", "shop", "on-a", true)]
    [InlineData("patch", "pods", "status", "shop", "on-b", false)]
    [InlineData("delete", "pods", "", "shop", "on-a", true)]
    [InlineData("delete", "pods", "", "shop", "on-b", false)]
    [InlineData("update", "pods", "", "shop", "on-a", false)]
    [InlineData("create", "events", "", "shop", "", true)]
    [InlineData("delete", "events", "", "shop", "x", false)]
    [InlineData("create", "namespaces", "", "", "", false)]
    public async Task Node_WritesOnlyItsOwnObjects(string verb, string resource, string subresource, string ns, string name, bool allowed) =>
        Assert.Equal(allowed, await Allows(Attributes(verb, resource, ns, name, subresource)));

    [Theory]
    [InlineData("update", "kube-node-lease", "a", true)]
    [InlineData("get", "kube-node-lease", "a", true)]
    [InlineData("create", "kube-node-lease", "", true)]
    [InlineData("update", "kube-node-lease", "b", false)]
    [InlineData("update", "kube-system", "a", false)]
    [InlineData("list", "kube-node-lease", "", false)]
    public async Task Node_UsesOnlyItsOwnLease(string verb, string ns, string name, bool allowed) =>
        Assert.Equal(allowed, await Allows(Attributes(verb, "leases", ns, name, group: "coordination.k8s.io")));

    [Fact]
    public async Task OtherUsers_GetNoOpinion()
    {
        var bob = UserInfo.Create("bob", []);
        var result = await _authorizer.AuthorizeAsync(Attributes("get", "secrets", "shop", "pull") with { User = bob }, default);
        Assert.Equal(AuthorizationDecision.NoOpinion, result.Decision);
        // "system:node:x" without the group is not a node.
        var impostor = UserInfo.Create("system:node:a", ["developers"]);
        result = await _authorizer.AuthorizeAsync(Attributes("get", "secrets", "shop", "pull") with { User = impostor }, default);
        Assert.Equal(AuthorizationDecision.NoOpinion, result.Decision);
    }

    [Fact]
    public async Task Denial_SaysThereIsNoRelationship()
    {
        var result = await _authorizer.AuthorizeAsync(Attributes("get", "secrets", "shop", "b-secret"), default);
        Assert.Equal("node 'a': no relationship found between node 'a' and this object", result.Reason);
    }

    [Fact]
    public void NodeRestriction_Node_MayNotCreateOthers_NorChangeTaintsOrRestrictedLabels()
    {
        var admit = NodeRestriction.For(NodeA, KnownResources.Nodes, null)!;
        AssertForbidden(() => admit(null, Obj("""{"metadata":{"name":"b"}}"""), default));
        admit(null, Obj("""{"metadata":{"name":"a"},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}"""), default);
        var old = Obj("""{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}""");
        admit(old, Obj("""{"metadata":{"name":"a","labels":{"x":"2"}},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}"""), default);
        AssertForbidden(() => admit(old, Obj("""{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{}}"""), default));
        AssertForbidden(() => admit(old, Obj("""{"metadata":{"name":"a","labels":{"x":"1","node-restriction.kubernetes.io/gpu":"yes"}},"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}"""), default));
        Assert.Null(NodeRestriction.For(NodeA, KnownResources.Nodes, "status"));
        Assert.Null(NodeRestriction.For(UserInfo.Create("bob", []), KnownResources.Nodes, null));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"p"},"spec":{"nodeName":"a","containers":[]}}""", "mirror pods")]
    [InlineData("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},"spec":{"nodeName":"b","containers":[]}}""", "spec.nodeName")]
    [InlineData("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"},"ownerReferences":[{"kind":"Node","name":"b"}]},"spec":{"nodeName":"a","containers":[]}}""", "owner reference")]
    [InlineData("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},"spec":{"nodeName":"a","serviceAccountName":"robot","containers":[]}}""", "service account")]
    [InlineData("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},"spec":{"nodeName":"a","containers":[{"name":"c","envFrom":[{"secretRef":{"name":"s"}}]}]}}""", "secrets")]
    [InlineData("""{"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"}},"spec":{"nodeName":"a","volumes":[{"name":"v","configMap":{"name":"c"}}],"containers":[]}}""", "configmaps")]
    public void NodeRestriction_MirrorPods_AreBoundToTheNode_AndUseNoSecrets(string pod, string said)
    {
        var admit = NodeRestriction.For(NodeA, KnownResources.Pods, null)!;
        var e = AssertForbidden(() => admit(null, Obj(pod), default));
        Assert.Contains(said, e.Status.Message);
    }

    [Fact]
    public void NodeRestriction_AcceptsAPlainMirrorPod() =>
        NodeRestriction.For(NodeA, KnownResources.Pods, null)!(null, Obj("""
            {"metadata":{"name":"p","annotations":{"kubernetes.io/config.mirror":"h"},"ownerReferences":[{"kind":"Node","name":"a","apiVersion":"v1","uid":"u"}]},
             "spec":{"nodeName":"a","containers":[{"name":"c","image":"x"}]}}
            """), default);

    private async Task<bool> Allows(AuthorizationAttributes attributes) =>
        (await _authorizer.AuthorizeAsync(attributes, default)).Decision == AuthorizationDecision.Allow;

    private static AuthorizationAttributes Attributes(string verb, string resource, string ns, string name, string subresource = "", string group = "") => new()
    {
        User = NodeA,
        Verb = verb,
        IsResourceRequest = true,
        ApiGroup = group,
        ApiVersion = "v1",
        Resource = resource,
        Subresource = subresource,
        Namespace = ns,
        Name = name,
    };

    private static ApiException AssertForbidden(Func<ValueTask> action)
    {
        var e = Assert.Throws<ApiException>(() => action().GetAwaiter().GetResult());
        Assert.Equal(403, e.Status.Code);
        return e;
    }

    private Task Create(ResourceType resource, string? ns, string json) =>
        _registry.CreateAsync(resource, ns, Obj(json), new WriteOptions(), default);

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();
}
