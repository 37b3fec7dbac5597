using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Reviews;
using Microsoft.AspNetCore.Http;
using static Edge.ApiServer.Tests.Authorization.RbacAuthorizerTests;

namespace Edge.ApiServer.Tests.Reviews;

public sealed class ReviewEndpointTests
{
    static readonly RbacAuthorizer Rbac = With(
        ClusterRole("reader", """[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]},{"verbs":["get"],"nonResourceURLs":["/healthz"]}]"""),
        Binding("team", "rb", "ClusterRole", "reader", ToBob));

    static async Task<(bool Handled, int Status, JsonObject? Body)> PostAsync(string path, string body, UserInfo? user = null, string method = "POST", string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Response.Body = new MemoryStream();
        context.SetUser(user ?? Bob);
        var handled = new ReviewEndpoint(Rbac, Rbac).TryHandle(context, out var response);
        await response;
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return (handled, context.Response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject());
    }

    static string Access(string ns, string verb, string resource) =>
        "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\"," +
        $"\"spec\":{{\"resourceAttributes\":{{\"namespace\":\"{ns}\",\"verb\":\"{verb}\",\"resource\":\"{resource}\"}}}}}}";

    [Fact]
    public async Task SelfSubjectAccessReview_AllowedInBoundNamespaceOnly()
    {
        var allowed = await PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Access("team", "list", "pods"));
        var denied = await PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Access("other", "list", "pods"));

        Assert.Equal((true, 201), (allowed.Handled, allowed.Status));
        Assert.True(allowed.Body!["status"]!["allowed"]!.GetValue<bool>());
        Assert.StartsWith("RBAC: allowed by RoleBinding \"rb/team\"", allowed.Body["status"]!["reason"]!.GetValue<string>());
        Assert.Equal("SelfSubjectAccessReview", allowed.Body["kind"]!.GetValue<string>());
        Assert.False(denied.Body!["status"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SelfSubjectAccessReview_NonResourceViaRoleBindingNo_InvalidSpec422()
    {
        var health = await PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            """{"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}}""");
        // Non-resource rules count only through ClusterRoleBindings (a RoleBinding holds in its namespace, URLs have none).
        Assert.False(health.Body!["status"]!["allowed"]!.GetValue<bool>());

        var e = await Assert.ThrowsAsync<ApiException>(() => PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", """{"spec":{}}"""));
        Assert.Equal(422, e.Status.Code);
        Assert.Contains("exactly one of nonResourceAttributes or resourceAttributes must be specified", e.Status.Message);
    }

    [Fact]
    public async Task SubjectAccessReview_AsksAboutTheNamedUser()
    {
        var body = """
            {"spec":{"user":"bob","groups":["x"],"extra":{"k":{"items":["v"]}},"resourceAttributes":{"namespace":"team","verb":"get","resource":"pods"}}}
            """;

        var asked = await PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", body, UserInfo.Create("admin", []));
        var other = await PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", body.Replace("\"bob\"", "\"eve\""), UserInfo.Create("admin", []));

        Assert.True(asked.Body!["status"]!["allowed"]!.GetValue<bool>());
        Assert.False(other.Body!["status"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task LocalSubjectAccessReview_NamespaceFromPath_MismatchInvalid()
    {
        var result = await PostAsync("/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews",
            """{"spec":{"user":"bob","resourceAttributes":{"verb":"get","resource":"pods"}}}""");
        Assert.True(result.Body!["status"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("team", result.Body["metadata"]!["namespace"]!.GetValue<string>());

        var e = await Assert.ThrowsAsync<ApiException>(() => PostAsync("/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews",
            """{"spec":{"user":"bob","resourceAttributes":{"namespace":"other","verb":"get","resource":"pods"}}}"""));
        Assert.Equal(422, e.Status.Code);
    }

    [Fact]
    public async Task SelfSubjectRulesReview_ListsResourceAndNonResourceRules()
    {
        var result = await PostAsync("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", """{"spec":{"namespace":"team"}}""");

        var status = result.Body!["status"]!;
        Assert.Equal("""[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]""", status["resourceRules"]!.ToJsonString());
        Assert.Equal("""[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]""", status["nonResourceRules"]!.ToJsonString());
        Assert.False(status["incomplete"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1beta1")]
    [InlineData("v1alpha1")]
    public async Task SelfSubjectReview_WhoAmI(string version)
    {
        var user = UserInfo.Create("system:serviceaccount:ns:sa", ["system:serviceaccounts"], "uid-1",
            new Dictionary<string, IReadOnlyList<string>> { ["authentication.kubernetes.io/pod-name"] = ["p"] });

        var result = await PostAsync($"/apis/authentication.k8s.io/{version}/selfsubjectreviews",
            $"{{\"apiVersion\":\"authentication.k8s.io/{version}\",\"kind\":\"SelfSubjectReview\",\"metadata\":{{\"creationTimestamp\":null}},\"status\":{{}}}}", user);

        Assert.Equal(201, result.Status);
        Assert.Equal($"authentication.k8s.io/{version}", result.Body!["apiVersion"]!.GetValue<string>());
        Assert.Equal("""
            {"username":"system:serviceaccount:ns:sa","uid":"uid-1","groups":["system:serviceaccounts","system:authenticated"],"extra":{"authentication.kubernetes.io/pod-name":["p"]}}
            """.Trim(), result.Body["status"]!["userInfo"]!.ToJsonString());
    }

    [Fact]
    public async Task OtherPathsAndMethods()
    {
        Assert.False((await PostAsync("/apis/authorization.k8s.io/v1/roles", "{}")).Handled);
        Assert.False((await PostAsync("/apis/authentication.k8s.io/v2/selfsubjectreviews", "{}")).Handled);
        var e = await Assert.ThrowsAsync<ApiException>(() => PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", method: "GET"));
        Assert.Equal(405, e.Status.Code);
    }
}
