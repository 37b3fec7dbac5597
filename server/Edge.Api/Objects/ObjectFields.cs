using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Objects;

/// <summary>
/// Typed reads and writes of the common fields of an object kept as a JSON tree. Objects stay
/// trees so that fields Edge does not know round-trip untouched.
/// </summary>
public static class ObjectFields
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? Name(this JsonObject obj) => String(obj["metadata"], "name");

    public static string? Namespace(this JsonObject obj) => String(obj["metadata"], "namespace");

    public static string? Uid(this JsonObject obj) => String(obj["metadata"], "uid");

    public static string? ResourceVersion(this JsonObject obj) => String(obj["metadata"], "resourceVersion");

    public static string? DeletionTimestamp(this JsonObject obj) => String(obj["metadata"], "deletionTimestamp");

    public static JsonObject? Labels(this JsonObject obj) => obj["metadata"]?["labels"] as JsonObject;

    /// <summary>A string field of an object node; null when missing or not a string.</summary>
    public static string? String(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>Reads a dotted path (<c>spec.nodeName</c>) as text: strings as they are, numbers and booleans formatted.</summary>
    public static string? PathText(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node is JsonValue value ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        } : null;
    }

    /// <summary>An integer field, tolerating any JSON number form of an integer.</summary>
    public static long? Long(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>RFC 3339 with seconds, as metav1.Time marshals.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTimestamp(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
