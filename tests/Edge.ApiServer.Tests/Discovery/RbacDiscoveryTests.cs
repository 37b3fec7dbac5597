using System.Text.Json.Nodes;
using Edge.Api.OpenApi;
using Edge.ApiServer.Discovery;

namespace Edge.ApiServer.Tests.Discovery;

/// <summary>What <c>kubectl api-resources</c> and kubectl's OpenAPI checks see of the RBAC and review groups.</summary>
public sealed class RbacDiscoveryTests
{
    static JsonObject Resource(string group, string plural) =>
        DiscoveryDocuments.ResourceList(group, "v1")!["resources"]!.AsArray().OfType<JsonObject>().Single(r => r["name"]!.GetValue<string>() == plural);

    static List<string> Verbs(JsonObject resource) => resource["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();

    [Fact]
    public void RbacGroup_FourKindsWithEveryVerb()
    {
        Assert.Contains(DiscoveryDocuments.GroupList()["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "rbac.authorization.k8s.io");
        Assert.False(Resource("rbac.authorization.k8s.io", "clusterroles")["namespaced"]!.GetValue<bool>());
        Assert.True(Resource("rbac.authorization.k8s.io", "rolebindings")["namespaced"]!.GetValue<bool>());
        Assert.Equal("RoleBinding", Resource("rbac.authorization.k8s.io", "rolebindings")["kind"]!.GetValue<string>());
        Assert.Contains("watch", Verbs(Resource("rbac.authorization.k8s.io", "roles")));
    }

    [Fact]
    public void Reviews_CreateOnly()
    {
        Assert.Equal(["create"], Verbs(Resource("authorization.k8s.io", "selfsubjectaccessreviews")));
        Assert.Equal(["create"], Verbs(Resource("authentication.k8s.io", "selfsubjectreviews")));
        Assert.True(Resource("authorization.k8s.io", "localsubjectaccessreviews")["namespaced"]!.GetValue<bool>());
    }

    [Fact]
    public void OpenApiV3_ReviewsArePostOnly_RbacHasPatchWithGvk()
    {
        var reviews = JsonNode.Parse(OpenApiDocuments.V3GroupVersion("apis/authorization.k8s.io/v1"))!["paths"]!.AsObject();
        var rbac = JsonNode.Parse(OpenApiDocuments.V3GroupVersion("apis/rbac.authorization.k8s.io/v1"))!["paths"]!.AsObject();

        Assert.Equal(["post"], reviews["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]!.AsObject().Select(p => p.Key).Where(k => k != "parameters"));
        Assert.DoesNotContain(reviews, p => p.Key.EndsWith("{name}", StringComparison.Ordinal));
        Assert.Equal("ClusterRole", rbac["/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"]!["patch"]!["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
    }
}
