using System.Buffers;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Edge.Store;

namespace Edge.ApiServer.Tests.Registry;

public sealed class StoredObjectsTests
{
    [Theory]
    [InlineData("""{"kind":"ConfigMap","apiVersion":"v1","data":{"metadata":{"x":1}},"metadata":{"name":"a","labels":{"k":"v"}}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""")]
    [InlineData("""{"spec":{"template":{"metadata":{"name":"inner"}}},"metadata":{"name":"outer"}}""")]
    public void WriteWithRevision_SplicesTheRevisionIntoTopLevelMetadata(string json)
    {
        var obj = (JsonObject)JsonNode.Parse(json)!;
        var kv = new KeyValue("/registry/configmaps/ns/a", StoredObjects.Encode(obj), 5, 42, 1, 0);
        var buffer = new ArrayBufferWriter<byte>();

        StoredObjects.WriteWithRevision(buffer, kv);

        var written = (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!;
        Assert.Equal("42", written["metadata"]!["resourceVersion"]!.GetValue<string>());
        written["metadata"]!.AsObject().Remove("resourceVersion");
        Assert.True(JsonNode.DeepEquals(obj, written), written.ToJsonString());
        Assert.True(JsonNode.DeepEquals(StoredObjects.Decode(kv), (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!));
    }

    [Fact]
    public void Encode_PutsMetadataAfterTypeFields()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"data":{"a":"b"},"kind":"ConfigMap","metadata":{"name":"x"},"apiVersion":"v1"}""")!;

        var text = System.Text.Encoding.UTF8.GetString(StoredObjects.Encode(obj));

        Assert.StartsWith("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}""", text);
    }

    [Fact]
    public void Key_NamespacedAndClusterScoped()
    {
        Assert.Equal("/registry/pods/ns/p", StoredObjects.Key(ResourceCatalog.Find("", "v1", "pods")!, "ns", "p"));
        Assert.Equal("/registry/namespaces/ns", StoredObjects.Key(ResourceCatalog.Find("", "v1", "namespaces")!, null, "ns"));
    }

    [Fact]
    public void Freeze_CarriesTheRevision_AndEveryDecodeIsATreeOfItsOwn()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"k":"v"}},"data":{"x":"1"}}""")!;
        var kv = new KeyValue("/registry/configmaps/ns/a", StoredObjects.Encode(obj), 5, 42, 1, 0);

        var frozen = StoredObjects.Freeze(kv);
        var first = StoredObjects.Decode(kv);
        var second = FrozenObjects.Tree(frozen);
        first["data"]!["x"] = "changed";

        Assert.Equal("42", FrozenObjects.ResourceVersion(frozen));
        Assert.Equal("a", FrozenObjects.Name(frozen));
        Assert.Null(FrozenObjects.Namespace(frozen));
        Assert.Equal("1", second["data"]!["x"]!.GetValue<string>());
        Assert.Equal("42", second["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("1", FrozenObjects.Tree(frozen)["data"]!["x"]!.GetValue<string>());
    }

    [Fact]
    public void Decode_HandMadeJson_StillGetsItsRevision()
    {
        // Not the shape Encode writes (metadata last, spaced): the slow road, same result.
        var bytes = System.Text.Encoding.UTF8.GetBytes("""{ "data": {"x": "1"}, "metadata": { "name": "a" } }""");
        var kv = new KeyValue("/registry/configmaps/ns/a", bytes, 5, 7, 1, 0);

        var decoded = StoredObjects.Decode(kv);

        Assert.Equal("7", decoded.ResourceVersion());
        Assert.Equal("a", decoded.Name());
        Assert.Equal("1", decoded["data"]!["x"]!.GetValue<string>());
    }

    [Fact]
    public void WriteWithRevision_WithComma_MakesAListOfItems()
    {
        var first = new KeyValue("/registry/configmaps/ns/a", StoredObjects.Encode((JsonObject)JsonNode.Parse("""{"metadata":{"name":"a"}}""")!), 5, 8, 1, 0);
        var second = new KeyValue("/registry/configmaps/ns/b", System.Text.Encoding.UTF8.GetBytes("""{ "metadata": {"name": "b"} }"""), 5, 1234567890123, 1, 0);
        var buffer = new ArrayBufferWriter<byte>();

        buffer.Write("["u8);
        StoredObjects.WriteWithRevision(buffer, first);
        StoredObjects.WriteWithRevision(buffer, second, comma: true);
        buffer.Write("]"u8);

        var items = JsonNode.Parse(buffer.WrittenSpan)!.AsArray();
        Assert.Equal(["8", "1234567890123"], items.Select(i => i!["metadata"]!["resourceVersion"]!.GetValue<string>()));
        Assert.Equal(["a", "b"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}""")]
    [InlineData("""{"apiVersion":"v\u0031","kind":"Config\"Map","metadata":{"name":"a"}}""")]
    [InlineData("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{ "name":"a"}}""")]
    public void WriteWithRevision_StoredBytesOfAnyShape_GetTheRevisionInTopLevelMetadata(string stored)
    {
        var kv = new KeyValue("/registry/configmaps/ns/a", System.Text.Encoding.UTF8.GetBytes(stored), 5, 77, 1, 0);
        var buffer = new ArrayBufferWriter<byte>();

        StoredObjects.WriteWithRevision(buffer, kv);

        var written = (JsonObject)JsonNode.Parse(buffer.WrittenSpan)!;
        Assert.Equal("77", written["metadata"]!["resourceVersion"]!.GetValue<string>());
        written["metadata"]!.AsObject().Remove("resourceVersion");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored), written), written.ToJsonString());
    }
}
