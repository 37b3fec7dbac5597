using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

/// <summary>
/// RFC 6902 JSON patch (<c>application/json-patch+json</c>). Checked in upstream's order: the
/// patch must decode as a list of objects (400), hold at most
/// <see cref="PatchLimits.MaxJsonPatchOperations"/> operations (413), then every operation must
/// apply (422). Operations run in order on a copy; the first failure aborts the whole patch.
/// </summary>
public static partial class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonNode patch)
    {
        // Upstream decodes "null" into an empty patch, which leaves the document as it was.
        if (patch is null)
            return JsonTree.Clone(document);
        if (patch is not JsonArray operations)
            throw PatchException.BadRequest($"json: cannot unmarshal {JsonKinds.GoName(patch)} into Go value of type jsonpatch.Patch");
        foreach (var operation in operations)
        {
            if (operation is not JsonObject)
                throw PatchException.BadRequest($"json: cannot unmarshal {JsonKinds.GoName(operation)} into Go value of type jsonpatch.Operation");
        }
        PatchLimits.CheckDepth(patch, "patch");
        if (operations.Count > PatchLimits.MaxJsonPatchOperations)
            throw PatchException.TooLarge($"The allowed maximum operations in a JSON patch is {PatchLimits.MaxJsonPatchOperations}, got {operations.Count}");
        PatchLimits.CheckDepth(document, "document");

        var root = new Root(JsonTree.Clone(document));
        foreach (var operation in operations)
            ApplyOne(root, (JsonObject)operation!);
        return root.Value;
    }

    private static void ApplyOne(Root root, JsonObject operation)
    {
        var op = StringMember(operation, "op");
        var path = StringMember(operation, "path")
            ?? throw PatchException.Unprocessable($"{op ?? "unknown"} operation: missing or invalid \"path\"");
        var tokens = JsonPointer.Parse(path);
        switch (op)
        {
            case "add":
                Add(root, tokens, path, CloneBounded(Value(operation, op), tokens, path));
                break;
            case "remove":
                Remove(root, tokens, path, op);
                break;
            case "replace":
                Replace(root, tokens, path, CloneBounded(Value(operation, op), tokens, path));
                break;
            case "move":
            {
                var from = From(operation, op);
                var fromTokens = JsonPointer.Parse(from);
                if (from == path)
                    return;
                // Moving a value into itself would orphan it (RFC 6902 §4.4).
                if (path.StartsWith(from + "/", StringComparison.Ordinal))
                    throw PatchException.Unprocessable($"move operation: \"from\" {from} is a prefix of \"path\" {path}");
                var value = Remove(root, fromTokens, from, op);
                CheckBounded(value, tokens, path);
                Add(root, tokens, path, value);
                break;
            }
            case "copy":
            {
                var from = From(operation, op);
                var value = Get(root, JsonPointer.Parse(from), from, op);
                CheckBounded(value, tokens, path);
                Add(root, tokens, path, JsonTree.Clone(value));
                break;
            }
            case "test":
            {
                var actual = Get(root, tokens, path, op);
                if (!JsonTree.DeepEquals(actual, Value(operation, op)))
                    throw PatchException.Unprocessable($"testing value {path} failed: test failed");
                break;
            }
            default:
                throw PatchException.Unprocessable($"Unexpected kind: {op ?? "unknown"}");
        }
    }

    private static string? StringMember(JsonObject operation, string name) =>
        operation.TryGetPropertyValue(name, out var node) && JsonKinds.Kind(node) == JsonValueKind.String
            ? node!.GetValue<string>()
            : null;

    private static JsonNode? Value(JsonObject operation, string op) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value
            : throw PatchException.Unprocessable($"{op} operation: missing \"value\"");

    private static string From(JsonObject operation, string op) =>
        StringMember(operation, "from") ?? throw PatchException.Unprocessable($"{op} operation: missing or invalid \"from\"");

    private static JsonNode? CloneBounded(JsonNode? value, string[] tokens, string path)
    {
        CheckBounded(value, tokens, path);
        return JsonTree.Clone(value);
    }

    // Each operation may deepen the document; bounding the depth at the target keeps the result
    // (and a later test's DeepEquals) within PatchLimits.MaxDepth however many operations run.
    private static void CheckBounded(JsonNode? value, string[] tokens, string path)
    {
        if (tokens.Length + PatchLimits.Depth(value) > PatchLimits.MaxDepth)
            throw PatchException.Unprocessable($"value at {path} would exceed the maximum nesting depth of {PatchLimits.MaxDepth}");
    }

    /// <summary>The document being patched; the whole of it can be replaced by a root path.</summary>
    private sealed class Root(JsonNode? value)
    {
        public JsonNode? Value { get; set; } = value;
    }
}
