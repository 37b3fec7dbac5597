using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Resources;
using Edge.ApiServer.Admission;

namespace Edge.ApiServer.Tests.Admission;

/// <summary>Messages as upstream's pkg/apis/rbac/validation words them.</summary>
public sealed class RbacStrategyTests
{
    static RbacStrategy Strategy(string plural) =>
        (RbacStrategy)new ResourceStrategies(ServiceNetwork.Default).For(ResourceCatalog.Find("rbac.authorization.k8s.io", "v1", plural)!);

    static List<string> Errors(string plural, string json, string? oldJson = null)
    {
        var strategy = Strategy(plural);
        var obj = JsonNode.Parse(json)!.AsObject();
        var old = oldJson is null ? null : JsonNode.Parse(oldJson)!.AsObject();
        if (old is null)
            strategy.PrepareForCreate(obj);
        else
            strategy.PrepareForUpdate(obj, old);
        var errors = new List<FieldError>();
        strategy.Validate(obj, old, errors);
        return errors.Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void ClusterRole_ColonNamesAndValidRules_Accepted()
    {
        Assert.Empty(Errors("clusterroles", """
            {"metadata":{"name":"system:basic-user"},
             "rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]},{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}
            """));
    }

    [Fact]
    public void Role_RuleWithoutVerbsOrResources_Required()
    {
        Assert.Equal(
        [
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            "rules[0].resources: Required value: resource rules must supply at least one resource",
        ], Errors("roles", """{"metadata":{"name":"r","namespace":"ns"},"rules":[{}]}"""));
    }

    [Fact]
    public void Role_NonResourceUrls_NotInNamespacedRulesNorMixed()
    {
        Assert.Equal(
        [
            "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs",
            "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: rules cannot apply to both regular resources and non-resource URLs",
        ], Errors("roles", """{"metadata":{"name":"r","namespace":"ns"},"rules":[{"verbs":["get"],"resources":["pods"],"nonResourceURLs":["/healthz"]}]}"""));
    }

    [Fact]
    public void Name_WithSlash_Invalid()
    {
        Assert.Equal(["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
            Errors("clusterroles", """{"metadata":{"name":"a/b"},"rules":[]}"""));
    }

    [Fact]
    public void ClusterRole_EmptyAggregationRule_Required()
    {
        Assert.Equal(["aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil"],
            Errors("clusterroles", """{"metadata":{"name":"agg"},"aggregationRule":{}}"""));
    }

    [Fact]
    public void RoleBinding_DefaultsGroups_AcceptsServiceAccountWithoutNamespace()
    {
        var strategy = Strategy("rolebindings");
        var obj = JsonNode.Parse("""
            {"metadata":{"name":"rb","namespace":"ns"},"roleRef":{"kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","name":"bob"},{"kind":"ServiceAccount","name":"default"}]}
            """)!.AsObject();
        strategy.PrepareForCreate(obj);
        var errors = new List<FieldError>();
        strategy.Validate(obj, null, errors);

        Assert.Empty(errors);
        Assert.Equal("rbac.authorization.k8s.io", obj["roleRef"]!["apiGroup"]!.GetValue<string>());
        Assert.Equal("rbac.authorization.k8s.io", obj["subjects"]![0]!["apiGroup"]!.GetValue<string>());
        Assert.Null(obj["subjects"]![1]!["apiGroup"]);
    }

    [Fact]
    public void ClusterRoleBinding_RoleKindAndNamespacelessServiceAccount_Rejected()
    {
        Assert.Equal(
        [
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "subjects[0].namespace: Required value",
            "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
        ], Errors("clusterrolebindings", """
            {"metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"x"},
             "subjects":[{"kind":"ServiceAccount","name":"sa"},{"kind":"Robot","name":"r2"}]}
            """));
    }

    [Fact]
    public void RoleBinding_MissingRoleRef_Required()
    {
        Assert.Equal(
        [
            "roleRef.kind: Unsupported value: \"\": supported values: \"Role\", \"ClusterRole\"",
            "roleRef.name: Required value",
        ], Errors("rolebindings", """{"metadata":{"name":"b","namespace":"ns"}}"""));
    }

    [Fact]
    public void RoleBinding_RoleRefChange_CannotChangeRoleRef()
    {
        const string old = """{"metadata":{"name":"b","namespace":"ns"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}""";

        Assert.Equal(
            ["roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"],
            Errors("rolebindings", old.Replace("view", "edit"), old));
        Assert.Empty(Errors("rolebindings", old.Replace("\"name\":\"b\"", "\"name\":\"b\",\"labels\":{\"a\":\"b\"}"), old));
    }
}
