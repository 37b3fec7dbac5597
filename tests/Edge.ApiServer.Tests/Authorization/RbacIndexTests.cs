using System.Text.Json.Nodes;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Requests;
using Edge.Store.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.ApiServer.Tests.Authorization;

/// <summary>The index follows writes through the watch cache; the default policy is in place after start.</summary>
public sealed class RbacIndexTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-rbac-").FullName;
    private EmbeddedStore _store = null!;
    private ApiServices _services = null!;

    public async Task InitializeAsync()
    {
        _store = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        _services = new ApiServices(_store, NullLoggerFactory.Instance, TimeProvider.System);
        await _services.StartAsync("127.0.0.1", 6443, default);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static AuthorizationAttributes Get(UserInfo user, string resource, string ns = "") =>
        new() { User = user, Verb = "get", IsResourceRequest = true, Resource = resource, Namespace = ns };

    private async Task<bool> EventuallyAsync(AuthorizationAttributes request, bool allowed)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await _services.Rbac.AuthorizeAsync(request, default)).Decision == AuthorizationDecision.Allow == allowed)
                return true;
            await Task.Delay(25);
        }

        return false;
    }

    [Fact]
    public async Task DefaultPolicy_MastersAdminAndEveryoneDiscovery()
    {
        var admin = UserInfo.Create("admin", [UserInfo.SystemMasters]);
        var anyone = UserInfo.Create("someone", []);

        Assert.Equal(AuthorizationDecision.Allow, (await _services.Rbac.AuthorizeAsync(Get(admin, "secrets", "kube-system"), default)).Decision);
        Assert.Equal(AuthorizationDecision.NoOpinion, (await _services.Rbac.AuthorizeAsync(Get(anyone, "secrets", "kube-system"), default)).Decision);
        Assert.Equal(AuthorizationDecision.Allow, (await _services.Rbac.AuthorizeAsync(new AuthorizationAttributes { User = anyone, Verb = "get", Path = "/apis/apps/v1" }, default)).Decision);
        Assert.Equal(AuthorizationDecision.Allow, (await _services.Rbac.AuthorizeAsync(new AuthorizationAttributes { User = UserInfo.Anonymous, Verb = "get", Path = "/version" }, default)).Decision);
        Assert.Equal(AuthorizationDecision.NoOpinion, (await _services.Rbac.AuthorizeAsync(new AuthorizationAttributes { User = UserInfo.Anonymous, Verb = "get", Path = "/apis" }, default)).Decision);
    }

    [Fact]
    public async Task WrittenBinding_TakesEffect_DeletedBinding_Revokes()
    {
        var bob = UserInfo.Create("bob", []);
        await _services.Registry.CreateAsync(RbacAuthorizer.ClusterRoles, null, JsonNode.Parse("""
            {"metadata":{"name":"pod-reader"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]}
            """)!.AsObject(), new WriteOptions(), default);
        await _services.Registry.CreateAsync(RbacAuthorizer.RoleBindings, "default", JsonNode.Parse("""
            {"metadata":{"name":"bob-reads"},"roleRef":{"kind":"ClusterRole","name":"pod-reader"},"subjects":[{"kind":"User","name":"bob"}]}
            """)!.AsObject(), new WriteOptions(), default);

        Assert.True(await EventuallyAsync(Get(bob, "pods", "default"), allowed: true));
        Assert.False((await _services.Rbac.AuthorizeAsync(Get(bob, "pods", "kube-system"), default)).Decision == AuthorizationDecision.Allow);

        await _services.Registry.DeleteAsync(RbacAuthorizer.RoleBindings, "default", "bob-reads", new Edge.ApiServer.Registry.DeleteOptions(), default);
        Assert.True(await EventuallyAsync(Get(bob, "pods", "default"), allowed: false));
    }
}
