using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

/// <summary>Node classification shared by the three patch types.</summary>
internal static class JsonKinds
{
    public static bool IsNull(JsonNode? node) =>
        node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.Null);

    /// <summary>The kind with <c>true</c> and <c>false</c> folded into one, as Go's <c>bool</c>.</summary>
    public static JsonValueKind Kind(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        _ => node.GetValueKind() is JsonValueKind.False ? JsonValueKind.True : node.GetValueKind(),
    };

    /// <summary>The name Go's encoding/json uses in its errors, for upstream-like messages.</summary>
    public static string GoName(JsonNode? node) => Kind(node) switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True => "bool",
        _ => "null",
    };

    /// <summary>
    /// An identity for a scalar (or a merge key value) usable in a dictionary. Numbers compare by
    /// their text, which is closer to upstream than numeric equality: Go decodes 1 as int64 and
    /// 1.0 as float64, and those are not equal there either.
    /// </summary>
    public static string Identity(JsonNode? node) => Kind(node) switch
    {
        JsonValueKind.Null => "z",
        JsonValueKind.String => "s" + (node!.AsValue().TryGetValue<string>(out var s) ? s : node.ToJsonString()),
        JsonValueKind.Number => "n" + node!.ToJsonString(),
        JsonValueKind.True => node!.GetValueKind() == JsonValueKind.True ? "t" : "f",
        // Containers only meet here as odd merge key values or set members; a deep one matches nothing else.
        _ => PatchLimits.Depth(node) > 32 ? JsonTree.ReferenceIdentity(node!) : "j" + PatchLimits.ToJson(node!),
    };
}
