using System.Text.Json.Nodes;
using Edge.Api.Patching;

namespace Edge.Api.Tests.Patching;

public sealed class JsonMergePatchTests
{
    private static JsonNode? Apply(string target, string patch) =>
        JsonMergePatch.Apply(Json.Parse(target), Json.Parse(patch));

    // RFC 7386 appendix A, except the two upstream refuses (scalar and null patches, below).
    [Theory]
    [InlineData("{'a':'b'}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}")]
    [InlineData("{'a':'b'}", "{'a':null}", "{}")]
    [InlineData("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}")]
    [InlineData("{'a':['b']}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'c'}", "{'a':['b']}", "{'a':['b']}")]
    [InlineData("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}")]
    [InlineData("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}")]
    [InlineData("['a','b']", "['c','d']", "['c','d']")]
    [InlineData("{'a':'b'}", "['c']", "['c']")]
    [InlineData("{'e':null}", "{'a':1}", "{'e':null,'a':1}")]
    [InlineData("[1,2]", "{'a':'b','c':null}", "{'a':'b'}")]
    [InlineData("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}")]
    public void Apply_RfcExamples_Match(string target, string patch, string expected)
    {
        Json.Equal(expected, Apply(target, patch));
    }

    [Fact]
    public void Apply_ScaleStylePatch_SetsReplicasOnly()
    {
        Json.Equal("{'kind':'Deployment','spec':{'replicas':5,'template':{'spec':{'containers':[{'name':'a'}]}}}}",
            Apply("{'kind':'Deployment','spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'a'}]}}}}", "{'spec':{'replicas':5}}"));
    }

    [Fact]
    public void Apply_LabelsNullRemoves_OthersKept()
    {
        Json.Equal("{'metadata':{'labels':{'a':'1','c':'3'}}}",
            Apply("{'metadata':{'labels':{'a':'1','b':'2'}}}", "{'metadata':{'labels':{'b':null,'c':'3'}}}"));
    }

    [Fact]
    public void Apply_ListReplacedWhole_NullsInsideItemsDropped()
    {
        // evanphx/json-patch (upstream) prunes nulls from objects in a value it stores.
        Json.Equal("{'l':[{'a':1}]}", Apply("{'l':[{'a':0,'b':2}]}", "{'l':[{'a':1,'c':null}]}"));
    }

    [Fact]
    public void Apply_TargetNull_StartsFromEmpty()
    {
        Json.Equal("{'a':1}", JsonMergePatch.Apply(null, Json.Parse("{'a':1,'b':null}")));
    }

    [Fact]
    public void Apply_DoesNotChangeInputs()
    {
        var target = Json.Parse("{'a':{'b':1}}");
        var patch = Json.Parse("{'a':{'c':{'d':1}}}");
        var result = JsonMergePatch.Apply(target, patch);
        result!["a"]!["c"]!["d"] = 2;
        Json.Equal("{'a':{'b':1}}", target);
        Json.Equal("{'a':{'c':{'d':1}}}", patch);
    }

    [Theory]
    [InlineData("'bar'")]
    [InlineData("1")]
    [InlineData("true")]
    public void Apply_ScalarPatch_Is400(string patch)
    {
        var e = Assert.Throws<PatchException>(() => Apply("{'a':1}", patch));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("Invalid JSON Patch", e.Message);
    }

    [Fact]
    public void Apply_NullPatch_Is400()
    {
        Assert.Equal(400, Assert.Throws<PatchException>(() => JsonMergePatch.Apply(Json.Parse("{}"), null!)).StatusCode);
    }

    [Fact]
    public void Apply_TooDeep_Is400()
    {
        Assert.Equal(400, Assert.Throws<PatchException>(() => JsonMergePatch.Apply(Json.Parse("{}"), Nesting.Deep(PatchLimits.MaxDepth + 1))).StatusCode);
        Assert.Equal(400, Assert.Throws<PatchException>(() => JsonMergePatch.Apply(Nesting.Deep(PatchLimits.MaxDepth + 1), Json.Parse("{}"))).StatusCode);
    }

    [Fact]
    public void Apply_AtMaxDepth_Merges()
    {
        var result = JsonMergePatch.Apply(Nesting.Deep(PatchLimits.MaxDepth), Nesting.Deep(PatchLimits.MaxDepth));
        Assert.NotNull(result);
    }
}
