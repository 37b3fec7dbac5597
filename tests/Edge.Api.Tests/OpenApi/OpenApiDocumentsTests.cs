using System.Text.Json;
using Edge.Api.OpenApi;
using Edge.Api.OpenApi.Gnostic;

namespace Edge.Api.Tests.OpenApi;

public class OpenApiDocumentsTests
{
    [Fact]
    public void V3Root_ListsGroupVersionsWithHashedUrls()
    {
        using var root = JsonDocument.Parse(OpenApiDocuments.V3Root());
        var apps = root.RootElement.GetProperty("paths").GetProperty("apis/apps/v1").GetProperty("serverRelativeURL").GetString();

        Assert.Equal($"/openapi/v3/apis/apps/v1?hash={OpenApiDocuments.V3Hash("apis/apps/v1")}", apps);
        Assert.True(root.RootElement.GetProperty("paths").TryGetProperty("api/v1", out _));
        Assert.Equal(128, OpenApiDocuments.V3Hash("api/v1")!.Length);
    }

    [Fact]
    public void V3AppsV1_DeploymentPatchCarriesGvkAndFieldValidation()
    {
        using var document = JsonDocument.Parse(OpenApiDocuments.V3GroupVersion("apis/apps/v1")!);
        var root = document.RootElement;
        var patch = root.GetProperty("paths").GetProperty("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").GetProperty("patch");

        Assert.Equal("3.0.0", root.GetProperty("openapi").GetString());
        Assert.Equal("""{"group":"apps","kind":"Deployment","version":"v1"}""", patch.GetProperty("x-kubernetes-group-version-kind").GetRawText());
        Assert.Equal("patch", patch.GetProperty("x-kubernetes-action").GetString());
        Assert.Contains(patch.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "fieldValidation" && p.GetProperty("in").GetString() == "query");
        var content = patch.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("application/strategic-merge-patch+json", out _));
        Assert.True(content.TryGetProperty("application/apply-patch+yaml", out _));
    }

    [Fact]
    public void V3AppsV1_SchemasHoldKindsAndPatchMetadata()
    {
        using var document = JsonDocument.Parse(OpenApiDocuments.V3GroupVersion("apis/apps/v1")!);
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var deployment = schemas.GetProperty("io.k8s.api.apps.v1.Deployment");

        Assert.Equal("Deployment", deployment.GetProperty("x-kubernetes-group-version-kind")[0].GetProperty("kind").GetString());
        var containers = schemas.GetProperty("io.k8s.api.core.v1.PodSpec").GetProperty("properties").GetProperty("containers");
        Assert.Equal("name", containers.GetProperty("x-kubernetes-patch-merge-key").GetString());
        Assert.Equal("merge", containers.GetProperty("x-kubernetes-patch-strategy").GetString());
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", containers.GetProperty("items").GetProperty("$ref").GetString());
        Assert.True(schemas.TryGetProperty("io.k8s.api.autoscaling.v1.Scale", out _));
        Assert.False(schemas.TryGetProperty("io.k8s.api.batch.v1.Job", out _));
    }

    [Fact]
    public void V3UnknownGroupVersion_Null()
    {
        Assert.Null(OpenApiDocuments.V3GroupVersion("apis/example.com/v1"));
    }

    [Fact]
    public void V2Json_HasDefinitionsPathsAndPatchConsumes()
    {
        using var document = JsonDocument.Parse(OpenApiDocuments.V2Json());
        var root = document.RootElement;
        var patch = root.GetProperty("paths").GetProperty("/api/v1/namespaces/{namespace}/pods/{name}").GetProperty("patch");

        Assert.Equal("2.0", root.GetProperty("swagger").GetString());
        Assert.Contains(patch.GetProperty("consumes").EnumerateArray(), c => c.GetString() == "application/strategic-merge-patch+json");
        Assert.Equal("Pod", patch.GetProperty("x-kubernetes-group-version-kind").GetProperty("kind").GetString());
        Assert.Equal("#/definitions/io.k8s.api.core.v1.PodSpec",
            root.GetProperty("definitions").GetProperty("io.k8s.api.core.v1.Pod").GetProperty("properties").GetProperty("spec").GetProperty("$ref").GetString());
    }

    [Fact]
    public void V2Protobuf_RoundTrips()
    {
        var document = Document.Parser.ParseFrom(OpenApiDocuments.V2Protobuf());

        Assert.Equal("2.0", document.Swagger);
        var deployment = document.Definitions.AdditionalProperties.Single(d => d.Name == "io.k8s.api.apps.v1.Deployment").Value;
        var gvk = deployment.VendorExtension.Single(e => e.Name == "x-kubernetes-group-version-kind");
        Assert.Equal("[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]\n", gvk.Value.Yaml);
        Assert.Equal("object", deployment.Type.Value.Single());
        var spec = deployment.Properties.AdditionalProperties.Single(p => p.Name == "spec").Value;
        Assert.Equal("#/definitions/io.k8s.api.apps.v1.DeploymentSpec", spec.Ref);

        var path = document.Paths.Path.Single(p => p.Name == "/apis/apps/v1/namespaces/{namespace}/deployments/{name}").Value;
        Assert.Contains("application/strategic-merge-patch+json", path.Patch.Consumes);
        Assert.Contains(path.Patch.Parameters, p => p.Parameter.NonBodyParameter?.QueryParameterSubSchema?.Name == "fieldValidation");
        Assert.Contains(path.Patch.VendorExtension, e => e.Name == "x-kubernetes-group-version-kind" && e.Value.Yaml.Contains("\"Deployment\""));
        Assert.Equal(2, path.Parameters.Count);
    }
}
