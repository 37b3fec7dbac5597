using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using static Edge.ApiServer.Tests.Authorization.RbacAuthorizerTests;

namespace Edge.ApiServer.Tests.Authorization;

public sealed class RbacEscalationTests
{
    const string PodReader = """[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]""";

    static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    static Edge.Api.Meta.Status? Check(RbacAuthorizer rbac, ResourceType resource, string json, UserInfo? user = null, string? old = null) =>
        RbacEscalation.CheckAsync(user ?? Bob, rbac, rbac, resource, Obj(json), old is null ? null : Obj(old), default).AsTask().Result;

    static RbacAuthorizer BobReadsPodsIn(string ns, string extraRules = "") => With(
        ClusterRole("reader", PodReader.TrimEnd(']') + extraRules + "]"), Binding(ns, "rb", "ClusterRole", "reader", ToBob));

    [Fact]
    public void Role_GrantingWhatTheUserHolds_Allowed()
    {
        var rbac = BobReadsPodsIn("ns");

        Assert.Null(Check(rbac, RbacAuthorizer.Roles, $$"""{"metadata":{"name":"r","namespace":"ns"},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]}"""));
    }

    [Fact]
    public void Role_GrantingMore_ForbiddenWithUpstreamsMessage()
    {
        var rbac = BobReadsPodsIn("ns");

        var status = Check(rbac, RbacAuthorizer.Roles, """
            {"metadata":{"name":"r","namespace":"ns"},"rules":[{"verbs":["get","list","delete"],"apiGroups":[""],"resources":["pods","secrets"]}]}
            """);

        Assert.NotNull(status);
        Assert.Equal(403, status.Code);
        Assert.Equal("""
            roles.rbac.authorization.k8s.io "r" is forbidden: user "bob" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}
            {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}
            """.ReplaceLineEndings("\n"), status.Message);
    }

    [Fact]
    public void Role_InAnotherNamespace_Forbidden()
    {
        Assert.NotNull(Check(BobReadsPodsIn("ns"), RbacAuthorizer.Roles, $$"""{"metadata":{"name":"r","namespace":"other"},"rules":{{PodReader}}}"""));
    }

    [Fact]
    public void Role_WithEscalateVerb_Allowed()
    {
        var rbac = BobReadsPodsIn("ns", """,{"verbs":["escalate"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles"]}""");

        Assert.Null(Check(rbac, RbacAuthorizer.Roles, """{"metadata":{"name":"r","namespace":"ns"},"rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}"""));
    }

    [Fact]
    public void Masters_SkipTheCheck()
    {
        Assert.Null(Check(new RbacAuthorizer(), RbacAuthorizer.ClusterRoles, """{"metadata":{"name":"all"},"rules":[{"verbs":["*"],"nonResourceURLs":["*"]}]}""",
            UserInfo.Create("admin", [UserInfo.SystemMasters])));
    }

    [Fact]
    public void Binding_ToRoleTheUserHolds_Allowed_ElseForbidden()
    {
        var rbac = With(ClusterRole("reader", PodReader), ClusterRole("admin", """[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]"""),
            Binding("ns", "rb", "ClusterRole", "reader", ToBob));

        Assert.Null(Check(rbac, RbacAuthorizer.RoleBindings, """
            {"metadata":{"name":"b2","namespace":"ns"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"reader"},"subjects":[{"kind":"User","name":"eve"}]}
            """));
        var status = Check(rbac, RbacAuthorizer.RoleBindings, """
            {"metadata":{"name":"b3","namespace":"ns"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin"},"subjects":[{"kind":"User","name":"eve"}]}
            """);
        Assert.Equal(403, status!.Code);
        Assert.StartsWith("rolebindings.rbac.authorization.k8s.io \"b3\" is forbidden: user \"bob\"", status.Message);
    }

    [Fact]
    public void Binding_WithBindVerbOnThatRole_Allowed()
    {
        var rbac = With(ClusterRole("admin", """[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]"""),
            ClusterRole("binder", """[{"verbs":["bind"],"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"resourceNames":["admin"]}]"""),
            Binding("ns", "rb", "ClusterRole", "binder", ToBob));
        const string binding = """
            {"metadata":{"name":"b","namespace":"NS"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin"},"subjects":[{"kind":"User","name":"eve"}]}
            """;

        Assert.Null(Check(rbac, RbacAuthorizer.RoleBindings, binding.Replace("NS", "ns")));
        Assert.NotNull(Check(rbac, RbacAuthorizer.RoleBindings, binding.Replace("NS", "other")));
    }

    [Fact]
    public void Binding_ToMissingRole_NotFound()
    {
        var status = Check(new RbacAuthorizer(), RbacAuthorizer.RoleBindings, """
            {"metadata":{"name":"b","namespace":"ns"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"nope"},"subjects":[]}
            """);

        Assert.Equal(404, status!.Code);
        Assert.Equal("roles.rbac.authorization.k8s.io \"nope\" not found", status.Message);
    }

    [Fact]
    public void ClusterRole_AggregationRule_NeedsFullAuthority()
    {
        var rbac = BobReadsPodsIn("ns", """,{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}""");
        rbac.Observe(RbacAuthorizer.ClusterRoleBindings, Obj("""
            {"metadata":{"name":"cb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"reader"},"subjects":[{"kind":"User","name":"bob"}]}
            """));

        var status = Check(rbac, RbacAuthorizer.ClusterRoles, """{"metadata":{"name":"agg"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"a":"b"}}]}}""");

        Assert.Equal("clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: must have cluster-admin privileges to use the aggregationRule", status!.Message);
    }

    [Fact]
    public void Update_OnlyOwnerReferences_NotChecked()
    {
        const string old = """{"metadata":{"name":"r","namespace":"ns","resourceVersion":"5"},"rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]}""";

        Assert.Null(Check(new RbacAuthorizer(), RbacAuthorizer.Roles,
            old.Replace("\"resourceVersion\":\"5\"", "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"o\",\"uid\":\"u\"}]"), old: old));
        Assert.NotNull(Check(new RbacAuthorizer(), RbacAuthorizer.Roles, old.Replace("\"*\"]}]", "\"*\"]},{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]"), old: old));
    }
}
