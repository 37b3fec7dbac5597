using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;

namespace Edge.ApiServer.Tests.Authorization;

/// <summary>upstream's RuleAllows and VisitRulesFor, case by case, on an index fed by hand.</summary>
public sealed class RbacAuthorizerTests
{
    internal static readonly UserInfo Bob = UserInfo.Create("bob", ["devs"]);

    internal static RbacAuthorizer With(params (ResourceType Resource, string Json)[] objects)
    {
        var rbac = new RbacAuthorizer();
        foreach (var (resource, json) in objects)
            rbac.Observe(resource, JsonNode.Parse(json)!.AsObject());
        return rbac;
    }

    internal static (ResourceType, string) ClusterRole(string name, string rules) =>
        (RbacAuthorizer.ClusterRoles, $$"""{"metadata":{"name":"{{name}}"},"rules":{{rules}}}""");

    internal static (ResourceType, string) Role(string ns, string name, string rules) =>
        (RbacAuthorizer.Roles, $$"""{"metadata":{"name":"{{name}}","namespace":"{{ns}}"},"rules":{{rules}}}""");

    internal static (ResourceType, string) ClusterBinding(string name, string role, string subjects) =>
        (RbacAuthorizer.ClusterRoleBindings, $$"""{"metadata":{"name":"{{name}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"},"subjects":{{subjects}}}""");

    internal static (ResourceType, string) Binding(string ns, string name, string kind, string role, string subjects) =>
        (RbacAuthorizer.RoleBindings, $$"""{"metadata":{"name":"{{name}}","namespace":"{{ns}}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"{{kind}}","name":"{{role}}"},"subjects":{{subjects}}}""");

    internal const string ToBob = """[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"}]""";

    internal static AuthorizationAttributes Request(string verb, string group, string resource, string ns = "", string name = "", string subresource = "", UserInfo? user = null) =>
        new() { User = user ?? Bob, Verb = verb, IsResourceRequest = true, ApiGroup = group, Resource = resource, Namespace = ns, Name = name, Subresource = subresource };

    /// <summary>The index answers synchronously; the ValueTask is always complete.</summary>
    static AuthorizationResult Decide(RbacAuthorizer rbac, AuthorizationAttributes request) => rbac.AuthorizeAsync(request, default).Result;

    static bool Allowed(RbacAuthorizer rbac, AuthorizationAttributes request) => Decide(rbac, request).Decision == AuthorizationDecision.Allow;

    public static TheoryData<string, string, bool> RuleCases => new()
    {
        // rule JSON, request "verb group resource[/sub] [name]", allowed
        { """{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}""", "get  pods", true },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}""", "list  pods", false },
        { """{"verbs":["*"],"apiGroups":[""],"resources":["pods"]}""", "delete  pods", true },
        { """{"verbs":["get"],"apiGroups":["*"],"resources":["deployments"]}""", "get apps deployments", true },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["deployments"]}""", "get apps deployments", false },
        { """{"verbs":["get"],"apiGroups":["apps"],"resources":["*"]}""", "get apps deployments/scale", true },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}""", "get  pods/log", false },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["pods/log"]}""", "get  pods/log", true },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["pods/log"]}""", "get  pods", false },
        { """{"verbs":["update"],"apiGroups":["*"],"resources":["*/status"]}""", "update  pods/status", true },
        { """{"verbs":["update"],"apiGroups":["*"],"resources":["*/status"]}""", "update  pods/statusx", false },
        { """{"verbs":["update"],"apiGroups":["*"],"resources":["*/status"]}""", "update  pods", false },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["a"]}""", "get  configmaps a", true },
        { """{"verbs":["get"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["a"]}""", "get  configmaps b", false },
        { """{"verbs":["list"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["a"]}""", "list  configmaps", false },
        { """{"verbs":["get"],"nonResourceURLs":["/healthz"]}""", "get /healthz", true },
        { """{"verbs":["get"],"nonResourceURLs":["/healthz"]}""", "get /healthz/etcd", false },
        { """{"verbs":["get"],"nonResourceURLs":["/healthz*"]}""", "get /healthz/etcd", true },
        { """{"verbs":["get"],"nonResourceURLs":["/apis/*"]}""", "get /apis/apps/v1", true },
        { """{"verbs":["get"],"nonResourceURLs":["/apis/*"]}""", "get /apis", false },
        { """{"verbs":["*"],"nonResourceURLs":["*"]}""", "post /anything", true },
        { """{"verbs":["get"],"nonResourceURLs":["/healthz"]}""", "post /healthz", false },
        { """{"verbs":["get"],"apiGroups":["*"],"resources":["*"]}""", "get /healthz", false },
    };

    [Theory]
    [MemberData(nameof(RuleCases))]
    public void Rule_AllowsAsUpstream(string rule, string request, bool allowed)
    {
        var rbac = With(ClusterRole("r", $"[{rule}]"), ClusterBinding("b", "r", ToBob));
        var parts = request.Split(' ');
        var attributes = parts[1].StartsWith('/')
            ? new AuthorizationAttributes { User = Bob, Verb = parts[0], Path = parts[1] }
            : Request(parts[0], parts[1], parts[2].Split('/')[0], "ns", parts.Length > 3 ? parts[3] : "",
                parts[2].Contains('/') ? parts[2].Split('/')[1] : "");

        Assert.Equal(allowed, Allowed(rbac, attributes));
    }

    [Fact]
    public void Allow_ReasonNamesTheBindingAsUpstream()
    {
        var rbac = With(ClusterRole("view", """[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]"""), ClusterBinding("b", "view", ToBob),
            Binding("ns", "rb", "ClusterRole", "view", """[{"kind":"ServiceAccount","name":"sa"}]"""));

        var cluster = Decide(rbac, Request("get", "", "pods", "ns"));
        var sa = Decide(rbac, Request("get", "", "pods", "ns", user: UserInfo.Create("system:serviceaccount:ns:sa", [])));

        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"b\" of ClusterRole \"view\" to User \"bob\"", cluster.Reason);
        Assert.Equal("RBAC: allowed by RoleBinding \"rb/ns\" of ClusterRole \"view\" to ServiceAccount \"sa/ns\"", sa.Reason);
    }

    [Fact]
    public void RoleBindingToClusterRole_OnlyInItsNamespace()
    {
        var rbac = With(ClusterRole("edit", """[{"verbs":["*"],"apiGroups":[""],"resources":["configmaps"]}]"""),
            Binding("team", "rb", "ClusterRole", "edit", ToBob));

        Assert.True(Allowed(rbac, Request("create", "", "configmaps", "team")));
        Assert.False(Allowed(rbac, Request("create", "", "configmaps", "other")));
        Assert.False(Allowed(rbac, Request("list", "", "configmaps")));
    }

    [Fact]
    public void RoleBindingToRole_UsesTheRoleOfItsNamespace()
    {
        var rbac = With(Role("team", "r", """[{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}]"""),
            Role("other", "r", """[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]"""),
            Binding("team", "rb", "Role", "r", ToBob));

        Assert.True(Allowed(rbac, Request("get", "", "secrets", "team")));
        Assert.False(Allowed(rbac, Request("delete", "", "secrets", "team")));
    }

    [Fact]
    public void Subjects_GroupAndServiceAccount()
    {
        var rbac = With(ClusterRole("r", """[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]"""),
            ClusterBinding("g", "r", """[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"devs"}]"""),
            ClusterBinding("sa", "r", """[{"kind":"ServiceAccount","name":"robot","namespace":"ci"}]"""),
            ClusterBinding("nons", "r", """[{"kind":"ServiceAccount","name":"lost"}]"""));

        Assert.True(Allowed(rbac, Request("get", "", "pods", user: UserInfo.Create("alice", ["devs"]))));
        Assert.False(Allowed(rbac, Request("get", "", "pods", user: UserInfo.Create("alice", ["ops"]))));
        Assert.True(Allowed(rbac, Request("get", "", "pods", user: UserInfo.Create("system:serviceaccount:ci:robot", []))));
        Assert.False(Allowed(rbac, Request("get", "", "pods", user: UserInfo.Create("system:serviceaccount:other:robot", []))));
        // A ClusterRoleBinding's service account without a namespace matches nobody.
        Assert.False(Allowed(rbac, Request("get", "", "pods", "ns", user: UserInfo.Create("system:serviceaccount:ns:lost", []))));
    }

    [Fact]
    public void MissingRole_NoOpinionWithTheError_AndDeletionRevokes()
    {
        var rbac = With(ClusterBinding("b", "gone", ToBob));
        var result = Decide(rbac, Request("get", "", "pods"));
        Assert.Equal(AuthorizationDecision.NoOpinion, result.Decision);
        Assert.Equal("RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found", result.Reason);

        var (resource, json) = ClusterRole("gone", """[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]""");
        rbac.Observe(resource, JsonNode.Parse(json)!.AsObject());
        Assert.True(Allowed(rbac, Request("get", "", "pods")));
        rbac.Forget(resource, JsonNode.Parse(json)!.AsObject());
        Assert.False(Allowed(rbac, Request("get", "", "pods")));
    }

    [Fact]
    public void RulesFor_ClusterAndNamespaceRules()
    {
        var rbac = With(ClusterRole("c", """[{"verbs":["get"],"nonResourceURLs":["/version"]}]"""), ClusterBinding("b", "c", ToBob),
            Role("ns", "r", """[{"verbs":["list"],"apiGroups":[""],"resources":["pods"]}]"""), Binding("ns", "rb", "Role", "r", ToBob),
            Binding("ns", "broken", "Role", "missing", ToBob));

        var (cluster, _) = rbac.RulesFor(Bob, "");
        var (inNamespace, errors) = rbac.RulesFor(Bob, "ns");

        Assert.Single(cluster);
        Assert.Equal(2, inNamespace.Count);
        Assert.Equal(["role.rbac.authorization.k8s.io \"missing\" not found"], errors);
    }
}
