using System.Text.Json.Nodes;
using Edge.Api.Protobuf;

namespace Edge.Api.Tests.Protobuf;

/// <summary>
/// Bodies kubectl 1.33 really sent (captured from <c>kubectl create …</c> against a recording
/// listener) decode to exactly what <c>kubectl create … --dry-run=client -o json</c> prints for
/// the same command: the JSON a JSON client would have sent.
/// </summary>
public class KubectlBodyTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Protobuf", "Fixtures", name);

    [Theory]
    [InlineData("create-namespace")]
    [InlineData("create-configmap")]
    [InlineData("create-secret-generic")]
    [InlineData("create-secret-docker-registry")]
    [InlineData("create-secret-tls")]
    [InlineData("create-deployment")]
    [InlineData("create-service-nodeport")]
    [InlineData("create-service-clusterip")]
    [InlineData("create-job")]
    [InlineData("create-cronjob")]
    [InlineData("create-serviceaccount")]
    [InlineData("create-priorityclass")]
    [InlineData("create-quota")]
    public void Kubectl133Body_DecodesToKubectlsOwnJson(string command)
    {
        var decoded = KubernetesProtobuf.Decode(File.ReadAllBytes(Fixture($"kubectl-1.33-{command}.bin")));
        var expected = JsonNode.Parse(File.ReadAllText(Fixture($"kubectl-1.33-{command}.json")));

        Assert.True(JsonNode.DeepEquals(expected, decoded), $"expected {expected!.ToJsonString()}\nactual   {decoded.ToJsonString()}");
    }

    /// <summary><c>kubectl create token</c> has no dry run; the expected JSON is Go's, less its empty token.</summary>
    [Fact]
    public void Kubectl133CreateToken_DecodesTokenRequest()
    {
        var decoded = KubernetesProtobuf.Decode(File.ReadAllBytes(Fixture("kubectl-1.33-create-token.bin")));
        var expected = JsonNode.Parse("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{"creationTimestamp":null},
             "spec":{"audiences":["aud1"],"expirationSeconds":3600},"status":{"expirationTimestamp":null}}
            """);

        Assert.True(JsonNode.DeepEquals(expected, decoded), decoded.ToJsonString());
    }
}
