using Edge.Api.Protobuf;
using Edge.Api.Resources;
using Edge.Api.Schema;

namespace Edge.Api.Tests.Protobuf;

public class ProtoSchemaTests
{
    [Fact]
    public void EmbeddedSchemas_ParseAndResolve()
    {
        var schemas = ProtoSchemaSet.Instance;

        Assert.True(schemas.Messages.Count > 250);
        Assert.Equal(ProtoScalar.Message, schemas.Find("k8s.io.api.core.v1.PodSpec")!.Fields[2].Type.Scalar);
        Assert.Same(schemas.Find("k8s.io.api.core.v1.Container"), schemas.Find("k8s.io.api.core.v1.PodSpec")!.Fields[2].Type.Message);
    }

    [Fact]
    public void EveryServedKind_HasASchema()
    {
        foreach (var resource in ResourceCatalog.Resources)
        {
            var package = "k8s.io.api." + KubernetesProtobuf.PackageOf(resource.Group);
            Assert.True(ProtoSchemaSet.Instance.Find($"{package}.{resource.Version}.{resource.Kind}") is not null, resource.Kind);
        }

        foreach (var kind in new[] { "k8s.io.api.policy.v1.Eviction", "k8s.io.api.autoscaling.v1.Scale", "k8s.io.api.authentication.v1.TokenRequest", "k8s.io.api.core.v1.Binding",
            "k8s.io.api.authentication.v1beta1.SelfSubjectReview", "k8s.io.api.authentication.v1alpha1.SelfSubjectReview" })
            Assert.NotNull(ProtoSchemaSet.Instance.Find(kind));
    }

    /// <summary>Alpha fields newer than the Kubernetes release whose OpenAPI Edge serves; kept for the wire.</summary>
    static readonly HashSet<string> NewerThanServedRelease =
    [
        "k8s.io.api.apps.v1.DeploymentSpec.podReplacementPolicy",
        "k8s.io.api.core.v1.NodeFeatures.containerUlimits",
        "k8s.io.api.core.v1.PodSpec.workloadRef",
        "k8s.io.api.core.v1.SecurityContext.ulimits",
    ];

    /// <summary>
    /// Alpha fields of the served OpenAPI whose wire numbers Edge's schemas do not have yet: a protobuf
    /// body setting one is rejected (unknown field), a JSON body is not affected.
    /// </summary>
    static readonly HashSet<string> NotOnTheWireYet =
    [
        "k8s.io.api.batch.v1.JobSpec.scheduling",
        "k8s.io.api.core.v1.ClusterTrustBundleProjection.user",
        "k8s.io.api.core.v1.ConfigMapVolumeSource.defaultUser",
        "k8s.io.api.core.v1.DownwardAPIVolumeFile.user",
        "k8s.io.api.core.v1.DownwardAPIVolumeSource.defaultUser",
        "k8s.io.api.core.v1.EmptyDirVolumeSource.mode",
        "k8s.io.api.core.v1.GRPCAction.mode",
        "k8s.io.api.core.v1.HTTPGetAction.protocol",
        "k8s.io.api.core.v1.KeyToPath.user",
        "k8s.io.api.core.v1.NodeSpec.podPreemptionPolicy",
        "k8s.io.api.core.v1.NodeSystemInfo.runningInUserNamespace",
        "k8s.io.api.core.v1.PersistentVolumeClaimStatus.healthStatus",
        "k8s.io.api.core.v1.PodCertificateProjection.user",
        "k8s.io.api.core.v1.PodSpec.evictionResponders",
        "k8s.io.api.core.v1.PodSpec.schedulingGroup",
        "k8s.io.api.core.v1.PodStatus.nodeAllocatableResourceClaimStatuses",
        "k8s.io.api.core.v1.PodStatus.volumeHealth",
        "k8s.io.api.core.v1.ProjectedVolumeSource.defaultUser",
        "k8s.io.api.core.v1.SecretVolumeSource.defaultUser",
        "k8s.io.api.core.v1.ServiceAccountTokenProjection.user",
        "k8s.io.api.core.v1.VolumeMount.bindMountOptions",
        "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta.shardInfo",
        "k8s.io.api.authentication.v1.TokenRequestSpec.attestations",
    ];

    /// <summary>
    /// Each message's JSON names equal the properties of the matching OpenAPI definition, both ways:
    /// catches typos and fields left out.
    /// </summary>
    [Fact]
    public void FieldNames_MatchTheOpenApiSchema()
    {
        var mismatches = new List<string>();
        var checkedMessages = 0;
        foreach (var message in ProtoSchemaSet.Instance.Messages)
        {
            if (message.WellKnown != WellKnownType.None) continue;
            var definition = ApiSchema.Default.Definition("io.k8s." + message.FullName["k8s.io.".Length..]);
            if (definition?.Properties is null) continue;
            checkedMessages++;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in message.Fields.Values)
            {
                foreach (var name in field.Inline ? field.Type.ResolvedMessage.Fields.Values.Select(f => f.JsonName) : [field.JsonName])
                {
                    names.Add(name);
                    if (!definition.Properties.ContainsKey(name) && !NewerThanServedRelease.Contains($"{message.FullName}.{name}"))
                        mismatches.Add($"extra {message.FullName}.{name}");
                }
            }

            foreach (var property in definition.Properties.Keys)
            {
                if (property is not ("apiVersion" or "kind") || message.Fields.Values.Any(f => f.Name == "typeMeta"))
                    if (!names.Contains(property) && !NotOnTheWireYet.Contains($"{message.FullName}.{property}")) mismatches.Add($"missing {message.FullName}.{property}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(checkedMessages > 200, $"only {checkedMessages} messages had an OpenAPI definition");
    }

    [Fact]
    public void Parser_RejectsUnknownOptionsAndTypes()
    {
        Assert.Throws<InvalidOperationException>(() => ProtoSchemaSet.Parse([new("a.proto", "syntax = \"proto2\"; package p; message M { optional Missing x = 1; }")]));
        Assert.Throws<InvalidOperationException>(() => ProtoSchemaSet.Parse([new("a.proto", "syntax = \"proto2\"; package p; message M { optional int32 x = 1 [(weird) = true]; }")]));
        Assert.Throws<InvalidOperationException>(() => ProtoSchemaSet.Parse([new("a.proto", "syntax = \"proto2\"; package p; message M { optional int32 x = 1; optional int32 y = 1; }")]));
    }

    [Fact]
    public void Parser_ResolvesNestedAndRelativeNames()
    {
        var set = ProtoSchemaSet.Parse([new("a.proto", """
            syntax = "proto2";
            package a.b;
            message Outer {
              message Inner { optional string s = 1; }
              optional Inner inner = 1;
              map<string, Other> others = 2 [json_name = "theOthers"];
            }
            message Other { repeated int64 n = 1; }
            """)]);

        var outer = set.Find("a.b.Outer")!;
        Assert.Same(set.Find("a.b.Outer.Inner"), outer.Fields[1].Type.Message);
        Assert.Equal("theOthers", outer.Fields[2].JsonName);
        Assert.Equal(ProtoLabel.Map, outer.Fields[2].Label);
        Assert.Same(set.Find("a.b.Other"), outer.Fields[2].Type.Message);
    }
}
