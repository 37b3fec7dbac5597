using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Edge.NodeChannel;

/// <summary>Kubernetes objects in the envelopes: their JSON as bytes, read and written without reflection.</summary>
public static class ObjectJson
{
    public static ByteString Encode(JsonObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            obj.WriteTo(writer);
        }

        return ByteString.CopyFrom(buffer.WrittenSpan);
    }

    /// <summary>Parses one object; throws <see cref="JsonException"/> for anything that is not a JSON object.</summary>
    public static JsonObject Decode(ByteString bytes) =>
        JsonNode.Parse(bytes.Span) as JsonObject ?? throw new JsonException("expected a JSON object");

    /// <summary><c>namespace/name</c>: how ConfigMaps and Secrets are keyed in a node's desired state.</summary>
    public static string Key(string? ns, string? name) => $"{ns}/{name}";
}
