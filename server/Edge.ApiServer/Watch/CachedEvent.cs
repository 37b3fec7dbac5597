using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Watch;

/// <summary>
/// One change as the watch cache keeps it: decoded once, shared read-only by every watcher, and
/// serialised at most once per event type however many watchers receive it.
/// </summary>
public sealed class CachedEvent(ResourceType resource, string? ns, long revision, JsonObject? current, JsonObject? previous)
{
    private byte[]? _added;
    private byte[]? _modified;
    private byte[]? _deleted;

    public ResourceType Resource { get; } = resource;

    public string? Namespace { get; } = ns;

    public long Revision { get; } = revision;

    /// <summary>The object after the change; null for a deletion.</summary>
    public JsonObject? Current { get; } = current;

    /// <summary>The object before the change; null for a creation.</summary>
    public JsonObject? Previous { get; } = previous;

    /// <summary>The wire frame <c>{"type":…,"object":…}</c> followed by a newline.</summary>
    public byte[] Frame(string type) => type switch
    {
        "ADDED" => _added ??= Encode(type, Current!),
        "MODIFIED" => _modified ??= Encode(type, Current!),
        // A deletion carries the last state; an object that left a selector carries its new state.
        _ => _deleted ??= Encode(type, Current ?? Previous!),
    };

    public static byte[] Encode(string type, JsonObject obj)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal static JsonSerializerOptions Options => JsonNodeContext.Default.Options;
}
