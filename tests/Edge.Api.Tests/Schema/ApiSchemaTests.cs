using Edge.Api.Schema;

namespace Edge.Api.Tests.Schema;

public class ApiSchemaTests
{
    static readonly ApiSchema Schema = ApiSchema.Default;

    [Fact]
    public void Pod_HasUpstreamNameAndFields()
    {
        var pod = Schema.ForKindNode("", "v1", "Pod")!;

        Assert.Equal("io.k8s.api.core.v1.Pod", pod.DefinitionName);
        Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], pod.Properties!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", pod.Properties["metadata"].Schema.DefinitionName);
        var container = pod.Properties["spec"].Schema.Properties!["containers"].Schema.Items!;
        Assert.Equal("io.k8s.api.core.v1.Container", container.DefinitionName);
        Assert.Contains("image", container.Properties!.Keys);
        Assert.Equal("integer", container.Properties["ports"].Schema.Items!.Properties!["containerPort"].Schema.Type);
    }

    [Fact]
    public void Deployment_TemplateIsCorePodTemplateSpec()
    {
        var deployment = Schema.ForKindNode("apps", "v1", "Deployment")!;
        var spec = deployment.Properties!["spec"].Schema;

        Assert.Equal("io.k8s.api.apps.v1.DeploymentSpec", spec.DefinitionName);
        Assert.Equal("io.k8s.api.core.v1.PodTemplateSpec", spec.Properties!["template"].Schema.DefinitionName);
        Assert.Equal("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", spec.Properties["selector"].Schema.DefinitionName);
        Assert.Equal("io.k8s.apimachinery.pkg.util.intstr.IntOrString",
            Schema.Definition("io.k8s.api.apps.v1.RollingUpdateDeployment")!.Properties!["maxSurge"].Schema.DefinitionName);
    }

    [Fact]
    public void ColliddingNames_KeepTheirGroups()
    {
        Assert.Equal("io.k8s.api.core.v1.Event", Schema.DefinitionNameOf("", "v1", "Event"));
        Assert.Equal("io.k8s.api.events.v1.Event", Schema.DefinitionNameOf("events.k8s.io", "v1", "Event"));
        Assert.Equal("io.k8s.api.autoscaling.v1.Scale", Schema.DefinitionNameOf("autoscaling", "v1", "Scale"));
        Assert.NotNull(Schema.Definition("io.k8s.api.discovery.v1.EndpointPort"));
        Assert.NotNull(Schema.Definition("io.k8s.api.core.v1.EndpointPort"));
    }

    [Fact]
    public void Containers_MergeByName()
    {
        var spec = Schema.ForKind("apps", "v1", "Deployment")!.Property("spec")!.Property("template")!.Property("spec")!;
        var containers = spec.Property("containers")!;

        Assert.True(containers.MergeList);
        Assert.Equal("name", containers.MergeKey);
        Assert.False(containers.RetainKeys);
        var ports = containers.Items!.Property("ports")!;
        Assert.Equal("containerPort", ports.MergeKey);
        Assert.True(spec.Property("volumes")!.RetainKeys);
    }

    [Fact]
    public void MapsAndAtomicLists_DoNotMerge()
    {
        var pod = Schema.ForKind("", "v1", "Pod")!;

        Assert.NotNull(pod.Property("metadata")!.Property("labels")!.Property("app"));
        var tolerations = pod.Property("spec")!.Property("tolerations")!;
        Assert.False(tolerations.MergeList);
        Assert.Null(tolerations.MergeKey);
        Assert.NotNull(tolerations.Items);
        Assert.Null(pod.Property("nope"));
        Assert.True(Schema.ForKind("apps", "v1", "Deployment")!.Property("spec")!.Property("strategy")!.RetainKeys);
    }

    [Fact]
    public void UnknownKind_HasNoSchema()
    {
        Assert.Null(Schema.ForKind("example.com", "v1", "Widget"));
    }
}
