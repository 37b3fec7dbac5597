using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

/// <summary>Bounds that keep hostile patches from exhausting the stack or the CPU.</summary>
public static class PatchLimits
{
    /// <summary>
    /// Deepest nesting of objects and arrays accepted in a document or a patch. Utf8JsonWriter's
    /// default is also 1000, so anything deeper could not be written back anyway; Go's decoder
    /// (upstream) allows 10,000, but our merge recurses per level and must stay within a thread pool stack.
    /// </summary>
    public const int MaxDepth = 1000;

    /// <summary>Upstream's <c>maxJSONPatchOperations</c> in k8s.io/apiserver <c>handlers/patch.go</c>.</summary>
    public const int MaxJsonPatchOperations = 10_000;

    /// <summary>Writes nodes into error messages and identities.</summary>
    private static readonly JsonSerializerOptions DescribeOptions = new() { MaxDepth = MaxTextDepth + 8 };

    /// <summary>Nesting depth without recursion: a scalar is 0, <c>{}</c> is 1.</summary>
    internal static int Depth(JsonNode? root)
    {
        if (root is not (JsonObject or JsonArray))
            return 0;
        var max = 0;
        var stack = new Stack<(JsonNode Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            max = Math.Max(max, depth);
            if (max > MaxDepth)
                return max;
            IEnumerable<JsonNode?> children = node is JsonObject o ? o.Select(p => p.Value) : (JsonArray)node;
            foreach (var child in children)
            {
                if (child is JsonObject or JsonArray)
                    stack.Push((child, depth + 1));
            }
        }
        return max;
    }

    internal static void CheckDepth(JsonNode? node, string what)
    {
        if (Depth(node) > MaxDepth)
            throw PatchException.BadRequest($"{what} exceeds the maximum nesting depth of {MaxDepth}");
    }

    /// <summary>Second line of defence behind <see cref="MaxDepth"/>: a small caller stack.</summary>
    internal static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw PatchException.BadRequest("patch is nested too deeply to apply");
    }

    /// <summary>Containers deeper than this are not written as text: the writer recurses per level.</summary>
    private const int MaxTextDepth = 32;

    /// <summary>A short rendering of a node for error messages; never throws.</summary>
    internal static string Describe(JsonNode? node)
    {
        if (node is null)
            return "null";
        var text = ToJson(node);
        return text.Length <= 256 ? text : string.Concat(text.AsSpan(0, 256), "…");
    }

    /// <summary>The JSON text of a node, or a placeholder when it nests too deeply to write safely; never throws.</summary>
    internal static string ToJson(JsonNode node)
    {
        if (Depth(node) > MaxTextDepth)
            return node is JsonObject ? "{…}" : "[…]";
        try
        {
            return node.ToJsonString(DescribeOptions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return node.GetType().Name;
        }
    }
}
