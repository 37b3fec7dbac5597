using System.Text.Json.Nodes;
using Edge.Api.Patching;

namespace Edge.Api.Tests.Patching;

/// <summary>Directives, schema-less fields and errors of strategic merge patch.</summary>
public sealed class StrategicMergePatchTests
{
    private static JsonNode? Apply(string original, string patch, TestSchema? schema = null) =>
        StrategicMergePatch.Apply(Json.Parse(original), Json.Parse(patch), schema ?? TestSchema.PodSpec);

    private static PatchException Fails(string original, string patch, TestSchema? schema = null) =>
        Assert.Throws<PatchException>(() => Apply(original, patch, schema));

    private const string Pod = """{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}""";

    [Fact]
    public void Apply_MapsMergeRecursively_NullDeletes()
    {
        Json.Equal("{'x':{'y':1,'z':{'w':2}},'k':3}",
            Apply("{'x':{'y':1,'z':{'v':1}},'d':0}", "{'x':{'z':{'v':null,'w':2}},'d':null,'k':3}"));
    }

    [Fact]
    public void Apply_NullForMissingKey_NotAdded()
    {
        Json.Equal("{'a':1}", Apply("{'a':1}", "{'b':null}"));
    }

    [Fact]
    public void Apply_PatchItemNewWithoutOrder_GoesFirstAsUpstream()
    {
        var result = Apply(Pod, """{"containers":[{"name":"c","image":"3"}]}""");
        Json.Equal("""[{"name":"c","image":"3"},{"name":"a","image":"1"},{"name":"b","image":"2"}]""", result!["containers"]);
    }

    [Fact]
    public void Apply_PatchItemsExisting_MergedInPlace()
    {
        var result = Apply(Pod, """{"containers":[{"name":"b","image":"20"},{"name":"a","image":"10"}]}""");
        Json.Equal("""[{"name":"b","image":"20"},{"name":"a","image":"10"}]""", result!["containers"]);
    }

    [Fact]
    public void Apply_SetElementOrderWithServerOnlyItem_ServerItemKeepsItsPlace()
    {
        // A container injected by a webhook is unknown to kubectl apply; it stays between its neighbours.
        var original = """{"containers":[{"name":"web"},{"name":"proxy"},{"name":"sidecar"}]}""";
        var result = Apply(original, """
            {"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],"containers":[{"name":"web","image":"2"}]}
            """);
        Json.Equal("""[{"name":"web","image":"2"},{"name":"proxy"},{"name":"sidecar"}]""", result!["containers"]);
    }

    [Fact]
    public void Apply_SetElementOrderReversing_ServerOnlyItemsInterleaveAsUpstream()
    {
        // Upstream's mergeSortedSlice: a server-only item goes before a patch item the server had later.
        var original = """{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}""";
        var result = Apply(original, """{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}]}""");
        Assert.Equal(["b", "c", "a"], result!["containers"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());
    }

    [Fact]
    public void Apply_SetElementOrderForListMissingFromOriginal_OrdersPatchList()
    {
        var result = Apply("{}", """
            {"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"b"},{"name":"a"}]}
            """);
        Json.Equal("""{"containers":[{"name":"b"},{"name":"a"}]}""", result);
    }

    [Fact]
    public void Apply_SetElementOrderWithNullList_ListDeleted()
    {
        Json.Equal("{}", Apply(Pod, """{"$setElementOrder/containers":[{"name":"a"}],"containers":null}"""));
    }

    [Fact]
    public void Apply_ReplaceDirectiveInList_ReplacesWholeList()
    {
        var result = Apply(Pod, """{"containers":[{"$patch":"replace"},{"name":"only","image":"9"}]}""");
        Json.Equal("""[{"name":"only","image":"9"}]""", result!["containers"]);
    }

    [Fact]
    public void Apply_ReplaceDirectiveInMap_ReplacesWholeMap()
    {
        Json.Equal("{'labels':{'x':'y'}}", Apply("{'labels':{'a':'b','c':'d'}}", "{'labels':{'$patch':'replace','x':'y'}}"));
    }

    [Fact]
    public void Apply_ReplaceDirectiveAtRoot_ReplacesObject()
    {
        Json.Equal("{'x':1}", Apply("{'a':1,'b':2}", "{'$patch':'replace','x':1}"));
    }

    [Fact]
    public void Apply_DeleteDirectiveInMap_LeavesEmptyMapAsUpstream()
    {
        Json.Equal("{'a':1,'labels':{}}", Apply("{'a':1,'labels':{'x':'y'}}", "{'labels':{'$patch':'delete'}}"));
    }

    [Fact]
    public void Apply_MergeDirectiveInMap_Merges()
    {
        Json.Equal("{'labels':{'x':'y','z':'w'}}", Apply("{'labels':{'x':'y'}}", "{'labels':{'$patch':'merge','z':'w'}}"));
    }

    [Fact]
    public void Apply_DeleteDirectiveForMissingItem_NoChange()
    {
        Json.Equal(Pod, Apply(Pod, """{"containers":[{"$patch":"delete","name":"zzz"}]}"""));
    }

    [Fact]
    public void Apply_RetainKeysNotOnSchema_StillAppliedAsUpstream()
    {
        Json.Equal("{'keep':1,'set':2}", Apply("{'keep':1,'drop':1}", "{'$retainKeys':['keep','set'],'set':2}", TestSchema.Object()));
    }

    [Fact]
    public void Apply_NoSchema_ListsReplacedMapsMerged()
    {
        var result = StrategicMergePatch.Apply(Json.Parse(Pod), Json.Parse("""{"containers":[{"name":"c"}],"m":{"k":1}}"""), null);
        Json.Equal("""{"containers":[{"name":"c"}],"m":{"k":1}}""", result);
    }

    [Fact]
    public void Apply_UnknownField_BehavesAsMergePatch()
    {
        var result = Apply("""{"extra":[1,2],"containers":[]}""", """{"extra":[3],"$setElementOrder/extra":[3]}""");
        Json.Equal("""{"extra":[3],"containers":[]}""", result);
    }

    [Fact]
    public void Apply_NullOriginal_StartsFromEmpty()
    {
        var result = StrategicMergePatch.Apply(null, Json.Parse("""{"containers":[{"name":"a","$patch":"delete"},{"name":"b"}]}"""), TestSchema.PodSpec);
        Json.Equal("""{"containers":[{"name":"b"}]}""", result);
    }

    [Fact]
    public void Apply_NullPatch_LeavesOriginal()
    {
        Json.Equal(Pod, StrategicMergePatch.Apply(Json.Parse(Pod), null!, TestSchema.PodSpec));
    }

    [Fact]
    public void Apply_DoesNotChangeInputs()
    {
        var original = Json.Parse(Pod);
        var patch = Json.Parse("""{"containers":[{"name":"a","image":"x"},{"name":"n","env":[{"name":"E"}]}]}""");
        var result = StrategicMergePatch.Apply(original, patch, TestSchema.PodSpec);
        result!["containers"]![0]!["image"] = "changed";
        Json.Equal(Pod, original);
        Json.Equal("""{"containers":[{"name":"a","image":"x"},{"name":"n","env":[{"name":"E"}]}]}""", patch);
    }

    [Fact]
    public void Apply_TypeChanges_PatchValueWins()
    {
        Json.Equal("{'a':[1],'b':{'c':1},'d':'s'}", Apply("{'a':{'x':1},'b':[1],'d':5}", "{'a':[1],'b':{'c':1},'d':'s'}"));
    }

    [Fact]
    public void Apply_PrimitiveSetWithDuplicatesInPatch_Collapsed()
    {
        var schema = TestSchema.Object(("f", TestSchema.PrimitiveSet));
        Json.Equal("{'f':['y','x']}", Apply("{'f':['x']}", "{'f':['y','y','x']}", schema));
    }

    [Fact]
    public void Apply_NumbersAsMergeKeys_MatchByValue()
    {
        var schema = TestSchema.Object(("ports", TestSchema.MergedBy("containerPort", TestSchema.Object())));
        Json.Equal("{'ports':[{'containerPort':80,'name':'http'}]}", Apply("{'ports':[{'containerPort':80}]}", "{'ports':[{'containerPort':80,'name':'http'}]}", schema));
    }

    // Upstream interpretStrategicMergePatchError: these are BadRequest.
    [Theory]
    [InlineData("{'$retainKeys':'x'}")]
    [InlineData("{'$retainKeys':['a'],'b':1}")]
    [InlineData("{'$deleteFromPrimitiveList/f':'a'}")]
    [InlineData("{'$deleteFromPrimitiveListf':['a']}")]
    [InlineData("{'$setElementOrderf':['a']}")]
    public void Apply_BadDirectiveFormat_Is400(string patch)
    {
        var e = Fails("{'a':1,'f':['a']}", patch, TestSchema.Object(("f", TestSchema.PrimitiveSet)));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("BadRequest", e.Reason);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("'x'")]
    [InlineData("1")]
    public void Apply_PatchNotAnObject_Is400(string patch)
    {
        Assert.Equal(400, Fails("{}", patch).StatusCode);
    }

    [Fact]
    public void Apply_OriginalNotAnObject_Is400()
    {
        Assert.Equal(400, Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(Json.Parse("[1]"), Json.Parse("{}"), null)).StatusCode);
    }

    [Fact]
    public void Apply_ListOfLists_Is422()
    {
        var schema = TestSchema.Object(("f", TestSchema.PrimitiveSet));
        Assert.Equal(422, Fails("{'f':[[1]]}", "{'f':[[2]]}", schema).StatusCode);
    }

    // Upstream returns these without an API status, so the apiserver answers 500.
    [Theory]
    [InlineData("""{"containers":[{"$patch":"frobnicate","name":"a"}]}""")]
    [InlineData("""{"containers":[{"$patch":"merge","name":"a"}]}""")]
    [InlineData("""{"$patch":"frobnicate"}""")]
    [InlineData("""{"$patch":7}""")]
    [InlineData("""{"containers":[{"image":"no-name"}]}""")]
    [InlineData("""{"containers":[{"$patch":"delete"}]}""")]
    [InlineData("""{"containers":["a"]}""")]
    [InlineData("""{"$setElementOrder/containers":"x"}""")]
    [InlineData("""{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a"},{"name":"b"}]}""")]
    public void Apply_UnclassifiedUpstreamErrors_Are500(string patch)
    {
        var e = Fails(Pod, patch);
        Assert.Equal(500, e.StatusCode);
        Assert.Equal("", e.Reason);
    }

    [Fact]
    public void Apply_UnknownPatchType_MessageInUpstreamWording()
    {
        var e = Fails(Pod, """{"$patch":"frobnicate"}""");
        Assert.StartsWith("unknown patch type: \"frobnicate\" in map: ", e.Message);
    }

    [Fact]
    public void Apply_MissingMergeKey_MessageInUpstreamWording()
    {
        var e = Fails(Pod, """{"containers":[{"image":"no-name"}]}""");
        Assert.EndsWith("does not contain declared merge key: name", e.Message);
    }
}
