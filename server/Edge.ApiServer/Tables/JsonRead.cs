using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.ApiServer.Tables;

/// <summary>
/// Tolerant readers for stored objects: a missing or mistyped field reads as its zero value,
/// as a Go struct field would, so one odd object never breaks a whole table.
/// </summary>
static class JsonRead
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
            node = node is JsonObject obj ? obj[step] : null;
        return node;
    }

    public static string Str(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public static string? StrOrNull(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long Int(JsonNode? node, params string[] path) => IntOrNull(node, path) ?? 0;

    public static long? IntOrNull(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : null;

    public static bool Bool(JsonNode? node, params string[] path) => BoolOrNull(node, path) ?? false;

    public static bool? BoolOrNull(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v ? v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

    public static IEnumerable<JsonObject> Objects(JsonNode? node, params string[] path) =>
        At(node, path) is JsonArray array ? array.OfType<JsonObject>() : [];

    public static IEnumerable<string> Strings(JsonNode? node, params string[] path) =>
        At(node, path) is JsonArray array
            ? array.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())
            : [];

    public static int Count(JsonNode? node, params string[] path) => At(node, path) switch
    {
        JsonArray array => array.Count,
        JsonObject obj => obj.Count,
        _ => 0,
    };

    public static string Name(JsonObject obj) => Str(obj, "metadata", "name");

    public static string Age(JsonObject obj, DateTimeOffset now) =>
        HumanDuration.Since(StrOrNull(obj, "metadata", "creationTimestamp"), now);

    /// <summary>upstream <c>labels.FormatLabels</c>: sorted <c>k=v</c> pairs, <c>&lt;none&gt;</c> when empty.</summary>
    public static string FormatLabels(JsonNode? map)
    {
        if (map is not JsonObject obj || obj.Count == 0)
            return "<none>";
        return string.Join(",", obj
            .Select(p => $"{p.Key}={(p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "")}")
            .Order(StringComparer.Ordinal));
    }
}
