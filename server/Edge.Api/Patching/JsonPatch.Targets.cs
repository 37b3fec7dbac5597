using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

// Locating and changing the value a pointer names. Traversal is iterative: a pointer with many
// segments costs time, not stack.
public static partial class JsonPatch
{
    private static JsonNode? Get(Root root, string[] tokens, string path, string op)
    {
        if (tokens.Length == 0)
            return root.Value;
        var parent = Parent(root, tokens, path, op);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var value):
                return value;
            case JsonArray array when JsonPointer.ParseIndex(last) is int index && index < array.Count:
                return array[index];
            default:
                throw Missing(op, path);
        }
    }

    private static void Add(Root root, string[] tokens, string path, JsonNode? value)
    {
        if (tokens.Length == 0)
        {
            root.Value = value;
            return;
        }
        var parent = Parent(root, tokens, path, "add");
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when JsonPointer.ParseIndex(last) is int index && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Missing("add", path);
        }
    }

    private static JsonNode? Remove(Root root, string[] tokens, string path, string op)
    {
        if (tokens.Length == 0)
            throw PatchException.Unprocessable($"{op} operation does not apply: cannot remove the whole document");
        var parent = Parent(root, tokens, path, op);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var value):
                obj.Remove(last);
                return value;
            case JsonArray array when JsonPointer.ParseIndex(last) is int index && index < array.Count:
                var item = array[index];
                array.RemoveAt(index);
                return item;
            default:
                throw Missing(op, path);
        }
    }

    private static void Replace(Root root, string[] tokens, string path, JsonNode? value)
    {
        if (tokens.Length == 0)
        {
            root.Value = value;
            return;
        }
        var parent = Parent(root, tokens, path, "replace");
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj[last] = value;
                break;
            case JsonArray array when JsonPointer.ParseIndex(last) is int index && index < array.Count:
                array[index] = value;
                break;
            default:
                throw Missing("replace", path);
        }
    }

    /// <summary>The container holding the last token; it must exist (RFC 6902 §4.1).</summary>
    private static JsonNode Parent(Root root, string[] tokens, string path, string op)
    {
        var current = root.Value;
        for (var i = 0; i < tokens.Length - 1; i++)
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(tokens[i], out var child) => child,
                JsonArray array when JsonPointer.ParseIndex(tokens[i]) is int index && index < array.Count => array[index],
                _ => throw Missing(op, path),
            };
        }
        return current is JsonObject or JsonArray ? current : throw Missing(op, path);
    }

    private static PatchException Missing(string op, string path) =>
        PatchException.Unprocessable($"{op} operation does not apply: doc is missing path: \"{path}\": missing value");
}
