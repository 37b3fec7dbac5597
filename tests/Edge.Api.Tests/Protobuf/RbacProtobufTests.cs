using System.Text.Json.Nodes;
using Edge.Api.Protobuf;
using static Edge.Api.Tests.Protobuf.ProtoWriter;

namespace Edge.Api.Tests.Protobuf;

/// <summary>
/// kubectl 1.32+ sends <c>create rolebinding</c>, <c>create clusterrole</c> and <c>auth can-i</c>
/// as protobuf; built here field by field with upstream's numbers (Go writes every non-pointer string).
/// </summary>
public class RbacProtobufTests
{
    static void AssertJson(string expected, JsonObject actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public void RoleBinding_AsKubectlCreateRoleBindingSendsIt()
    {
        var body = Envelope("rbac.authorization.k8s.io/v1", "RoleBinding", new ProtoWriter()
            .Msg(1, ObjectMeta("rb", "default"))
            .Msg(2, new ProtoWriter().Str(1, "User").Str(2, "rbac.authorization.k8s.io").Str(3, "bob").Str(4, ""))
            .Msg(2, new ProtoWriter().Str(1, "ServiceAccount").Str(2, "").Str(3, "sa").Str(4, "kube-system"))
            .Msg(3, new ProtoWriter().Str(1, "rbac.authorization.k8s.io").Str(2, "ClusterRole").Str(3, "view")));

        AssertJson("""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
             "metadata":{"name":"rb","namespace":"default","creationTimestamp":null},
             "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bob"},
                         {"kind":"ServiceAccount","name":"sa","namespace":"kube-system"}],
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void ClusterRole_RulesAndAggregationRule()
    {
        var body = Envelope("rbac.authorization.k8s.io/v1", "ClusterRole", new ProtoWriter()
            .Msg(1, ObjectMeta("reader"))
            .Msg(2, new ProtoWriter().Str(1, "get").Str(1, "list").Str(2, "").Str(3, "pods").Str(4, "p1"))
            .Msg(2, new ProtoWriter().Str(1, "get").Str(5, "/healthz"))
            .Msg(3, new ProtoWriter().Msg(1, new ProtoWriter().Entry(1, "team", "a"))));

        AssertJson("""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
             "metadata":{"name":"reader","creationTimestamp":null},
             "rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"],"resourceNames":["p1"]},
                      {"verbs":["get"],"nonResourceURLs":["/healthz"]}],
             "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"team":"a"}}]}}
            """, KubernetesProtobuf.Decode(body));
    }

    [Fact]
    public void SelfSubjectAccessReview_AsKubectlAuthCanISendsIt()
    {
        var body = Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", new ProtoWriter()
            .Msg(1, new ProtoWriter())
            .Msg(2, new ProtoWriter().Msg(1, new ProtoWriter()
                .Str(1, "default").Str(2, "get").Str(3, "").Str(4, "").Str(5, "pods").Str(6, "").Str(7, "")))
            .Msg(3, new ProtoWriter().Bool(1, false).Str(2, "").Str(3, "")));

        var decoded = KubernetesProtobuf.Decode(body);

        Assert.Equal("get", decoded["spec"]!["resourceAttributes"]!["verb"]!.GetValue<string>());
        Assert.Equal("pods", decoded["spec"]!["resourceAttributes"]!["resource"]!.GetValue<string>());
        Assert.Equal("default", decoded["spec"]!["resourceAttributes"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public void SelfSubjectReview_EveryVersionKubectlAsks()
    {
        foreach (var version in new[] { "v1", "v1beta1", "v1alpha1" })
        {
            var decoded = KubernetesProtobuf.Decode(Envelope($"authentication.k8s.io/{version}", "SelfSubjectReview",
                new ProtoWriter().Msg(1, new ProtoWriter()).Msg(2, new ProtoWriter())));

            Assert.Equal("SelfSubjectReview", decoded["kind"]!.GetValue<string>());
        }
    }
}
