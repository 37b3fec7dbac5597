using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Selectors;

namespace Edge.Api.Tests.Selectors;

public sealed class FieldSelectorTests
{
    static ResourceType Resource(string group, string plural) =>
        ResourceCatalog.Resources.Single(r => r.Group == group && r.Plural == plural);

    [Theory]
    [InlineData("metadata.name=a", "metadata.name=a")]
    [InlineData("metadata.name==a", "metadata.name=a")]
    [InlineData("b!=2,a=1", "a=1,b!=2")]
    [InlineData(@"a=x\,y\=z\\", @"a=x\,y\=z\\")]
    [InlineData("", "")]
    [InlineData("a=", "a=")]
    public void Parse_Valid_PrintsCanonically(string text, string canonical)
    {
        Assert.Equal(canonical, FieldSelector.Parse(text).ToString());
    }

    [Fact]
    public void Parse_EscapedValue_Unescapes()
    {
        var selector = FieldSelector.Parse(@"a=x\,y\=z");
        Assert.Equal("x,y=z", Assert.Single(selector.Requirements).Value);
    }

    [Theory]
    [InlineData("a", "invalid selector: 'a'; can't understand 'a'")]
    [InlineData(@"a=\x", @"invalid field selector: invalid escape sequence: \x")]
    [InlineData("a=b=c", "invalid field selector: unescaped character in value: 61")]
    public void Parse_Invalid_Throws(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<SelectorException>(() => FieldSelector.Parse(text)).Message);
    }

    [Fact]
    public void Matches_AndsTerms()
    {
        var selector = FieldSelector.Parse("a=1,b!=2");
        Assert.True(selector.Matches(f => f == "a" ? "1" : "3"));
        Assert.False(selector.Matches(f => f == "a" ? "1" : "2"));
    }

    [Fact]
    public void TryGetExactValue_FindsName()
    {
        Assert.True(FieldSelector.Parse("metadata.name=web,metadata.namespace=x").TryGetExactValue("metadata.name", out var name));
        Assert.Equal("web", name);
        Assert.False(FieldSelector.Parse("metadata.name!=web").TryGetExactValue("metadata.name", out _));
    }

    [Fact]
    public void SelectableFields_Pod_ReadsSpecAndStatus()
    {
        var pods = Resource("", "pods");
        var pod = JsonNode.Parse("""
            {"metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"n1"},
             "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}]}}
            """)!.AsObject();
        Assert.Equal("n1", SelectableFields.ValueOf(pods, pod, "spec.nodeName"));
        Assert.Equal("false", SelectableFields.ValueOf(pods, pod, "spec.hostNetwork"));
        Assert.Equal("10.0.0.5", SelectableFields.ValueOf(pods, pod, "status.podIP"));
        Assert.Equal("ns", SelectableFields.ValueOf(pods, pod, "metadata.namespace"));
        Assert.True(SelectableFields.Matches(pods, FieldSelector.Parse("status.phase=Running,spec.nodeName=n1"), pod));
    }

    [Fact]
    public void SelectableFields_UnsupportedLabel_Rejected()
    {
        var configMaps = Resource("", "configmaps");
        var e = Assert.Throws<SelectorException>(() =>
            SelectableFields.Validate(configMaps, FieldSelector.Parse("metadata.name=a,spec.nodeName=x")));
        Assert.Equal("field label not supported: spec.nodeName", e.Message);
        Assert.False(SelectableFields.IsSupported(Resource("", "pods"), "spec.containers"));
    }

    [Fact]
    public void SelectableFields_PerResourceExtras()
    {
        Assert.True(SelectableFields.IsSupported(Resource("", "secrets"), "type"));
        Assert.True(SelectableFields.IsSupported(Resource("", "nodes"), "spec.unschedulable"));
        Assert.False(SelectableFields.IsSupported(Resource("", "nodes"), "metadata.namespace"));
        Assert.False(SelectableFields.IsSupported(Resource("", "namespaces"), "metadata.namespace"));
        Assert.True(SelectableFields.IsSupported(Resource("", "services"), "spec.type"));
        Assert.True(SelectableFields.IsSupported(Resource("scheduling.k8s.io", "priorityclasses"), "metadata.namespace"));
        Assert.True(SelectableFields.IsSupported(Resource("", "namespaces"), "status.phase"));
        Assert.True(SelectableFields.IsSupported(Resource("", "events"), "involvedObject.uid"));
        Assert.True(SelectableFields.IsSupported(Resource("events.k8s.io", "events"), "regarding.name"));
        Assert.False(SelectableFields.IsSupported(Resource("events.k8s.io", "events"), "involvedObject.name"));
        var job = JsonNode.Parse("""{"status":{"succeeded":2}}""")!.AsObject();
        Assert.Equal("2", SelectableFields.ValueOf(Resource("batch", "jobs"), job, "status.successful"));
        var rs = JsonNode.Parse("""{"status":{}}""")!.AsObject();
        Assert.Equal("0", SelectableFields.ValueOf(Resource("apps", "replicasets"), rs, "status.replicas"));
    }
}
