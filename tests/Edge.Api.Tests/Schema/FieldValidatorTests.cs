using System.Text;
using Edge.Api.Schema;

namespace Edge.Api.Tests.Schema;

public class FieldValidatorTests
{
    static IReadOnlyList<string> Validate(string json, string group = "apps", string kind = "Deployment") =>
        FieldValidator.Validate(Encoding.UTF8.GetBytes(json), group, "v1", kind);

    const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}}}
        """;

    [Fact]
    public void ValidDeployment_NoProblems()
    {
        Assert.Empty(Validate(Deployment));
    }

    [Fact]
    public void UnknownSpecField_Reported()
    {
        Assert.Equal(["unknown field \"spec.foo\""], Validate(Deployment.Replace("\"replicas\":2", "\"replicas\":2,\"foo\":1")));
    }

    [Fact]
    public void UnknownFieldInListItem_IndexedPath()
    {
        var problems = Validate(Deployment.Replace("\"image\":\"nginx\"", "\"imagee\":\"nginx\""));

        Assert.Equal(["unknown field \"spec.template.spec.containers[0].imagee\""], problems);
    }

    [Fact]
    public void DuplicateMetadataName_Reported()
    {
        Assert.Equal(["duplicate field \"metadata.name\""], Validate(Deployment.Replace("\"metadata\":{\"name\":\"web\",", "\"metadata\":{\"name\":\"web\",\"name\":\"x\",")));
    }

    [Fact]
    public void MetadataFields_AreValidatedToo()
    {
        Assert.Equal(["unknown field \"metadata.labelz\""], Validate(Deployment.Replace("\"labels\":{\"app\":\"web\"}},\n", "\"labelz\":{}},\n")));
    }

    [Fact]
    public void Annotations_AndConfigMapData_AcceptAnyKeys()
    {
        Assert.Empty(Validate("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","annotations":{"anything.io/x":"y","z":"w"}}}"""));
        Assert.Empty(Validate("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"whatever":"1","b.yaml":"x: y"}}""", "", "ConfigMap"));
    }

    [Fact]
    public void RawExtension_AcceptsAnythingBeneath()
    {
        Assert.Empty(Validate("""{"kind":"ControllerRevision","data":{"spec":{"what":{"ever":[1,{"x":1}]}}},"revision":1}""", kind: "ControllerRevision"));
    }

    [Fact]
    public void ManyProblems_InDocumentOrderWithoutRepeats()
    {
        var problems = Validate("""{"kind":"Deployment","x":1,"spec":{"y":1,"y":2},"x":2}""");

        Assert.Equal(["unknown field \"x\"", "unknown field \"spec.y\""], problems);
    }

    [Fact]
    public void StrictErrorMessage_UpstreamWording()
    {
        Assert.Equal(
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\"",
            FieldValidator.StrictErrorMessage("Deployment", "v1", ["unknown field \"spec.foo\"", "unknown field \"spec.bar\""]));
    }

    [Fact]
    public void UnknownKind_NothingToCheck()
    {
        Assert.Empty(Validate("""{"anything":1}""", "example.com", "Widget"));
    }
}
