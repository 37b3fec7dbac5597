using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Patching;

namespace Edge.Api.Tests.Patching;

public sealed class JsonPatchTests
{
    private static JsonNode? Apply(string document, string patch) =>
        JsonPatch.Apply(Json.Parse(document), Json.Parse(patch));

    private static PatchException Fails(string document, string patch) =>
        Assert.Throws<PatchException>(() => Apply(document, patch));

    [Fact]
    public void Apply_AddToObject_SetsMember()
    {
        Json.Equal("{'a':1,'b':{'c':2}}", Apply("{'a':1}", "[{'op':'add','path':'/b','value':{'c':2}}]"));
    }

    [Fact]
    public void Apply_AddExistingMember_Replaces()
    {
        Json.Equal("{'a':2}", Apply("{'a':1}", "[{'op':'add','path':'/a','value':2}]"));
    }

    [Fact]
    public void Apply_AddWithDash_Appends()
    {
        Json.Equal("{'l':[1,2,3]}", Apply("{'l':[1,2]}", "[{'op':'add','path':'/l/-','value':3}]"));
    }

    [Fact]
    public void Apply_AddAtIndex_Inserts()
    {
        Json.Equal("{'l':[0,1,2]}", Apply("{'l':[1,2]}", "[{'op':'add','path':'/l/0','value':0}]"));
        Json.Equal("{'l':[1,2,3]}", Apply("{'l':[1,2]}", "[{'op':'add','path':'/l/2','value':3}]"));
    }

    [Fact]
    public void Apply_AddPastEnd_Is422()
    {
        Assert.Equal(422, Fails("{'l':[1,2]}", "[{'op':'add','path':'/l/3','value':3}]").StatusCode);
    }

    [Theory]
    [InlineData("/l/01")]
    [InlineData("/l/-1")]
    [InlineData("/l/x")]
    [InlineData("/l/99999999999")]
    public void Apply_BadIndex_Is422(string path)
    {
        Assert.Equal(422, Fails("{'l':[1,2]}", $"[{{'op':'replace','path':'{path}','value':3}}]").StatusCode);
    }

    [Fact]
    public void Apply_EscapedPointer_ResolvesTildeAndSlash()
    {
        Json.Equal("{'a/b':1,'m~n':2,'~1':3}",
            Apply("{'a/b':0,'m~n':0}", "[{'op':'replace','path':'/a~1b','value':1},{'op':'replace','path':'/m~0n','value':2},{'op':'add','path':'/~01','value':3}]"));
    }

    [Fact]
    public void Apply_BadEscape_Is422()
    {
        Assert.Equal(422, Fails("{}", "[{'op':'add','path':'/a~2','value':1}]").StatusCode);
    }

    [Fact]
    public void Apply_Remove_DeletesMemberAndItem()
    {
        Json.Equal("{'l':[2]}", Apply("{'a':1,'l':[1,2]}", "[{'op':'remove','path':'/a'},{'op':'remove','path':'/l/0'}]"));
    }

    [Fact]
    public void Apply_RemoveMissing_Is422()
    {
        var e = Fails("{'a':1}", "[{'op':'remove','path':'/b'}]");
        Assert.Equal(422, e.StatusCode);
        Assert.Equal("Invalid", e.Reason);
        Assert.Contains("/b", e.Message);
    }

    [Fact]
    public void Apply_ReplaceMissing_Is422()
    {
        Assert.Equal(422, Fails("{'a':1}", "[{'op':'replace','path':'/b','value':1}]").StatusCode);
    }

    [Fact]
    public void Apply_ReplaceRoot_ReplacesDocument()
    {
        Json.Equal("[1]", Apply("{'a':1}", "[{'op':'replace','path':'','value':[1]}]"));
    }

    [Fact]
    public void Apply_Move_RelocatesValue()
    {
        Json.Equal("{'b':{'c':1},'l':[3,2]}", Apply("{'a':{'c':1},'l':[2,3]}",
            "[{'op':'move','from':'/a','path':'/b'},{'op':'move','from':'/l/0','path':'/l/-'}]"));
    }

    [Fact]
    public void Apply_MoveIntoOwnChild_Is422()
    {
        Assert.Equal(422, Fails("{'a':{'b':{}}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]").StatusCode);
    }

    [Fact]
    public void Apply_Copy_DuplicatesValueIndependently()
    {
        var result = Apply("{'a':{'x':1}}", "[{'op':'copy','from':'/a','path':'/b'},{'op':'replace','path':'/b/x','value':2}]");
        Json.Equal("{'a':{'x':1},'b':{'x':2}}", result);
    }

    [Fact]
    public void Apply_TestEqual_Passes()
    {
        Json.Equal("{'a':{'b':[1,'x']},'c':1}",
            Apply("{'a':{'b':[1,'x']}}", "[{'op':'test','path':'/a','value':{'b':[1,'x']}},{'op':'add','path':'/c','value':1}]"));
    }

    [Fact]
    public void Apply_TestFailed_Is422AndNothingChanges()
    {
        var document = Json.Parse("{'metadata':{'resourceVersion':'5'}}");
        var patch = Json.Parse("[{'op':'add','path':'/x','value':1},{'op':'test','path':'/metadata/resourceVersion','value':'4'}]");
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(document, patch));
        Assert.Equal(422, e.StatusCode);
        Json.Equal("{'metadata':{'resourceVersion':'5'}}", document);
    }

    [Fact]
    public void Apply_DoesNotChangeInputs()
    {
        var document = Json.Parse("{'a':[1]}");
        var patch = Json.Parse("[{'op':'add','path':'/a/-','value':{'b':1}}]");
        var result = JsonPatch.Apply(document, patch);
        ((JsonObject)result!["a"]![1]!)["b"] = 2;
        Json.Equal("{'a':[1]}", document);
        Json.Equal("[{'op':'add','path':'/a/-','value':{'b':1}}]", patch);
    }

    [Fact]
    public void Apply_LabelWithSlash_KubectlStyle()
    {
        Json.Equal("{'metadata':{'labels':{'app.kubernetes.io/name':'web'}}}",
            Apply("{'metadata':{'labels':{}}}", "[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]"));
    }

    [Theory]
    [InlineData("{'op':'add','path':'/a'}")]
    [InlineData("{'path':'/a','value':1}")]
    [InlineData("{'op':'frobnicate','path':'/a','value':1}")]
    [InlineData("{'op':'add','value':1}")]
    [InlineData("{'op':'add','path':7,'value':1}")]
    [InlineData("{'op':'add','path':'a','value':1}")]
    [InlineData("{'op':'move','path':'/a'}")]
    [InlineData("{'op':1,'path':'/a','value':1}")]
    public void Apply_MalformedOperation_Is422(string operation)
    {
        Assert.Equal(422, Fails("{}", $"[{operation}]").StatusCode);
    }

    [Theory]
    [InlineData("{'op':'add','path':'/a','value':1}")]
    [InlineData("'add'")]
    [InlineData("[1]")]
    [InlineData("[[]]")]
    [InlineData("[null]")]
    public void Apply_NotAListOfObjects_Is400(string patch)
    {
        var e = Fails("{}", patch);
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("BadRequest", e.Reason);
    }

    [Fact]
    public void Apply_NullPatch_LeavesDocument()
    {
        Json.Equal("{'a':1}", JsonPatch.Apply(Json.Parse("{'a':1}"), null!));
    }

    [Fact]
    public void Apply_MaxOperations_Applies()
    {
        var ops = new JsonArray();
        for (var i = 0; i < PatchLimits.MaxJsonPatchOperations; i++)
            ops.Add(new JsonObject { ["op"] = "add", ["path"] = "/l/-", ["value"] = i });
        var result = JsonPatch.Apply(Json.Parse("{'l':[]}"), ops);
        Assert.Equal(PatchLimits.MaxJsonPatchOperations, result!["l"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_OverMaxOperations_Is413()
    {
        var ops = new JsonArray();
        for (var i = 0; i <= PatchLimits.MaxJsonPatchOperations; i++)
            ops.Add(new JsonObject { ["op"] = "test", ["path"] = "", ["value"] = 1 });
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse("{}"), ops));
        Assert.Equal(413, e.StatusCode);
        Assert.Equal("The allowed maximum operations in a JSON patch is 10000, got 10001", e.Message);
    }

    [Fact]
    public void Apply_DeeplyNestedValue_Is400()
    {
        var e = Assert.Throws<PatchException>(() =>
            JsonPatch.Apply(Json.Parse("{}"), new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/a", ["value"] = Nesting.Deep(PatchLimits.MaxDepth + 1) })));
        Assert.Equal(400, e.StatusCode);
    }

    [Fact]
    public void Apply_OperationsThatKeepDeepening_StopAtTheLimit()
    {
        // Each add nests a 900-deep value under the previous one; the second would pass the limit.
        var path = new StringBuilder();
        var ops = new JsonArray();
        for (var i = 0; i < 3; i++)
        {
            ops.Add(new JsonObject { ["op"] = "add", ["path"] = path + "/a", ["value"] = Nesting.Deep(900) });
            path.Append("/a").Append(string.Concat(Enumerable.Repeat("/a", 899)));
        }
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse("{}"), ops));
        Assert.Equal(422, e.StatusCode);
    }
}

internal static class Nesting
{
    /// <summary>{"a":{"a":…}} built without recursion, <paramref name="depth"/> objects deep.</summary>
    /// <remarks>System.Text.Json walks the ancestors on every attach, so this is quadratic: keep depths in the thousands.</remarks>
    public static JsonObject Deep(int depth, string key = "a")
    {
        var root = new JsonObject();
        var current = root;
        for (var i = 1; i < depth; i++)
        {
            var next = new JsonObject();
            current[key] = next;
            current = next;
        }
        return root;
    }
}
