using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;
using Edge.Store;

namespace Edge.ApiServer.Registry;

/// <summary>
/// How objects sit in the store: the key <c>/registry/&lt;group-resource&gt;/[&lt;namespace&gt;/]&lt;name&gt;</c>
/// and the object's JSON without its resourceVersion, which is the key's mod revision and is
/// put back on every read (so it can never disagree with the store).
/// </summary>
public static class StoredObjects
{
    /// <summary>apiVersion, kind and metadata lead the stored JSON, so a list can splice the resourceVersion in cheaply.</summary>
    private static void KeepMetadataFirst(JsonObject obj)
    {
        foreach (var (name, _) in obj)
        {
            if (name == "metadata")
            {
                return;
            }

            if (name is not ("apiVersion" or "kind"))
            {
                break;
            }
        }

        var fields = obj.ToList();
        obj.Clear();
        foreach (var name in new[] { "apiVersion", "kind", "metadata" })
        {
            if (fields.FirstOrDefault(f => f.Key == name) is { Key: not null } field)
            {
                obj[name] = field.Value;
            }
        }

        foreach (var (name, value) in fields)
        {
            if (name is not ("apiVersion" or "kind" or "metadata"))
            {
                obj[name] = value;
            }
        }
    }

    public static string Key(ResourceType resource, string? ns, string name) =>
        resource.Namespaced ? $"{resource.StorePrefix}{ns}/{name}" : $"{resource.StorePrefix}{name}";

    /// <summary>The prefix of one namespace's objects, or of all of them.</summary>
    public static string Prefix(ResourceType resource, string? ns) =>
        resource.Namespaced && ns is not null ? $"{resource.StorePrefix}{ns}/" : resource.StorePrefix;

    public static JsonObject Decode(KeyValue kv) => Decode(kv.Value, kv.ModRevision);

    /// <summary>The object with its resourceVersion as a tree of the caller's own, built lazily as far as it is read.</summary>
    public static JsonObject Decode(byte[] value, long revision) => FrozenObjects.Tree(Freeze(value, revision));

    public static JsonElement Freeze(KeyValue kv) => Freeze(kv.Value, kv.ModRevision);

    /// <summary>
    /// The object with its resourceVersion as read-only JSON that owns its memory (no pool): what
    /// long-lived caches keep. The resourceVersion is spliced into the bytes, so nothing of the
    /// object is built as a tree here.
    /// </summary>
    public static JsonElement Freeze(byte[] value, long revision)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 48);
        WriteWithRevision(buffer, value, revision);
        var reader = new Utf8JsonReader(buffer.WrittenSpan, new JsonReaderOptions { MaxDepth = RequestBody.MaxDepth });
        try
        {
            var element = JsonElement.ParseValue(ref reader);
            return element.ValueKind == JsonValueKind.Object ? element : throw ApiException.Internal("a stored object is not a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.Internal($"a stored object could not be decoded: {e.Message}");
        }
    }

    /// <summary>The slow, certain road for JSON not in the shape <see cref="Encode"/> writes (hand-made data).</summary>
    private static JsonObject DecodeAsTree(byte[] value, long revision)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(value, RequestBody.NodeOptions, RequestBody.DocumentOptions) as JsonObject
                ?? throw ApiException.Internal("a stored object is not a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.Internal($"a stored object could not be decoded: {e.Message}");
        }

        obj.Metadata()["resourceVersion"] = Revision(revision);
        return obj;
    }

    /// <summary>The stored form: the object without resourceVersion (the object itself is left as it was).</summary>
    public static byte[] Encode(JsonObject obj)
    {
        var metadata = obj.Metadata();
        KeepMetadataFirst(obj);
        var resourceVersion = metadata["resourceVersion"];
        metadata.Remove("resourceVersion");
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, JsonNodeContext.Default.JsonObject);
        }
        finally
        {
            if (resourceVersion is not null)
            {
                metadata["resourceVersion"] = resourceVersion;
            }
        }
    }

    /// <summary>
    /// Writes a stored object with its resourceVersion, splicing it into the stored bytes right
    /// after the opening of the top-level metadata (which <see cref="Encode"/> keeps near the front).
    /// </summary>
    public static void WriteWithRevision(IBufferWriter<byte> writer, KeyValue kv, bool comma = false) =>
        WriteWithRevision(writer, kv.Value, kv.ModRevision, comma);

    /// <summary>
    /// The object spliced into one span of the writer, <paramref name="comma"/> first when asked:
    /// a list writes ten thousand of these, and a response pipe takes a lock on every span.
    /// </summary>
    private static void WriteWithRevision(IBufferWriter<byte> writer, byte[] value, long revision, bool comma = false)
    {
        var bytes = value.AsSpan();
        var at = MetadataContentOffset(bytes);
        if (at < 0)
        {
            if (comma)
            {
                writer.Write(","u8);
            }

            using var json = new Utf8JsonWriter(writer);
            DecodeAsTree(value, revision).WriteTo(json);
            return;
        }

        ReadOnlySpan<byte> field = "\"resourceVersion\":\""u8;
        ReadOnlySpan<byte> close = bytes[at] == (byte)'}' ? "\""u8 : "\","u8;
        Span<byte> digits = stackalloc byte[20];
        revision.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        var size = (comma ? 1 : 0) + bytes.Length + field.Length + length + close.Length;
        var span = writer.GetSpan(size);
        var written = 0;
        if (comma)
        {
            span[written++] = (byte)',';
        }

        bytes[..at].CopyTo(span[written..]);
        written += at;
        field.CopyTo(span[written..]);
        written += field.Length;
        digits[..length].CopyTo(span[written..]);
        written += length;
        close.CopyTo(span[written..]);
        written += close.Length;
        bytes[at..].CopyTo(span[written..]);
        writer.Advance(written + bytes.Length - at);
    }

    /// <summary>The offset just after the <c>{</c> of the top-level metadata object, or -1.</summary>
    private static int MetadataContentOffset(ReadOnlySpan<byte> json)
    {
        if (EncodedMetadataContentOffset(json) is var encoded and >= 0)
        {
            return encoded;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = RequestBody.MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return -1;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("metadata"u8))
                {
                    reader.Read();
                    var at = (int)reader.BytesConsumed;
                    return reader.TokenType == JsonTokenType.StartObject && at < json.Length && json[at] is not ((byte)' ' or (byte)'\n') ? at : -1;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return -1;
    }

    /// <summary>
    /// The same offset for the exact prefix <see cref="Encode"/> writes,
    /// <c>{"apiVersion":"…","kind":"…","metadata":{</c>, found without a JSON reader (a LIST does this
    /// for every item); -1 for anything else, including escapes in the two strings.
    /// </summary>
    private static int EncodedMetadataContentOffset(ReadOnlySpan<byte> json)
    {
        var at = 0;
        return Expect(json, ref at, "{\"apiVersion\":\""u8) && SkipPlainString(json, ref at) &&
            Expect(json, ref at, ",\"kind\":\""u8) && SkipPlainString(json, ref at) &&
            Expect(json, ref at, ",\"metadata\":{"u8) && at < json.Length && json[at] is not ((byte)' ' or (byte)'\n')
            ? at
            : -1;

        static bool Expect(ReadOnlySpan<byte> json, ref int at, ReadOnlySpan<byte> text)
        {
            if (!json[at..].StartsWith(text))
            {
                return false;
            }

            at += text.Length;
            return true;
        }

        static bool SkipPlainString(ReadOnlySpan<byte> json, ref int at)
        {
            var end = json[at..].IndexOfAny((byte)'"', (byte)'\\');
            if (end < 0 || json[at + end] != (byte)'"')
            {
                return false;
            }

            at += end + 1;
            return true;
        }
    }

    public static string Revision(long revision) => revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
