using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Edge.Store;

namespace Edge.ApiServer.Watch;

/// <summary>
/// One change as the watch cache keeps it: the stored bytes, decoded into a tree only if some
/// watcher's selector needs it, and serialised at most once per event type however many watchers
/// receive it. Most changes (a pod created with nobody watching pods with a selector) are never parsed.
/// </summary>
public sealed class CachedEvent
{
    private readonly KeyValue? _current;
    private readonly KeyValue? _previous;
    private JsonObject? _currentObject;
    private JsonObject? _previousObject;
    private byte[]? _added;
    private byte[]? _modified;
    private byte[]? _deleted;

    /// <param name="current">The key after the change; null for a deletion.</param>
    /// <param name="previous">The key before the change; null for a creation. For a deletion it carries the deleting revision.</param>
    public CachedEvent(ResourceType resource, string? ns, long revision, KeyValue? current, KeyValue? previous)
    {
        Resource = resource;
        Namespace = ns;
        Revision = revision;
        _current = current;
        _previous = previous;
    }

    public ResourceType Resource { get; }

    public string? Namespace { get; }

    public long Revision { get; }

    public bool IsDeletion => _current is null;

    public bool IsCreation => _previous is null;

    /// <summary>The object after the change; null for a deletion. Decoded on first use, then shared read-only.</summary>
    public JsonObject? Current => _current is null ? null : Decoded(ref _currentObject, _current);

    /// <summary>The object before the change; null for a creation.</summary>
    public JsonObject? Previous => _previous is null ? null : Decoded(ref _previousObject, _previous);

    /// <summary>The stored key after the change (null for a deletion), for readers that want their own copy.</summary>
    internal KeyValue? CurrentKv => _current;

    /// <summary>The stored key before the change; for a deletion it carries the deleting revision.</summary>
    internal KeyValue? PreviousKv => _previous;

    /// <summary>The wire frame <c>{"type":…,"object":…}</c> followed by a newline.</summary>
    public byte[] Frame(string type) => type switch
    {
        "ADDED" => _added ??= Encode(type, _current!),
        "MODIFIED" => _modified ??= Encode(type, _current!),
        // A deletion carries the last state; an object that left a selector carries its new state.
        _ => _deleted ??= Encode(type, _current ?? _previous!),
    };

    /// <summary>A frame of a tree (initial events, bookmarks, tables, errors).</summary>
    public static byte[] Encode(string type, JsonObject obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A frame straight from stored bytes, with the resourceVersion spliced in.</summary>
    private static byte[] Encode(string type, KeyValue kv)
    {
        var buffer = new ArrayBufferWriter<byte>(kv.Value.Length + 64);
        buffer.Write("{\"type\":\""u8);
        Encoding.UTF8.GetBytes(type.AsSpan(), buffer);
        buffer.Write("\",\"object\":"u8);
        StoredObjects.WriteWithRevision(buffer, kv);
        buffer.Write("}\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private JsonObject Decoded(ref JsonObject? slot, KeyValue kv)
    {
        if (Volatile.Read(ref slot) is { } done)
        {
            return done;
        }

        lock (this)
        {
            return slot ??= StoredObjects.Decode(kv);
        }
    }
}
