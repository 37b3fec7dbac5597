using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

/// <summary>
/// Copy and compare without recursion. System.Text.Json's DeepClone and DeepEquals recurse per
/// level with no stack check, so on a small thread stack even a document within
/// <see cref="PatchLimits.MaxDepth"/> could overflow and kill the process.
/// </summary>
internal static class JsonTree
{
    public static JsonObject Clone(JsonObject node) => (JsonObject)Clone((JsonNode)node)!;

    public static JsonNode? Clone(JsonNode? node)
    {
        if (node is not (JsonObject or JsonArray))
            return node?.DeepClone();
        var root = EmptyLike(node);
        var pending = new Stack<(JsonNode Source, JsonNode Target)>();
        pending.Push((node, root));
        while (pending.Count > 0)
        {
            var (source, target) = pending.Pop();
            if (source is JsonObject sourceObject)
            {
                var targetObject = (JsonObject)target;
                foreach (var (key, child) in sourceObject)
                    targetObject[key] = CloneShallow(child, pending);
            }
            else
            {
                var targetArray = (JsonArray)target;
                foreach (var child in (JsonArray)source)
                    targetArray.Add(CloneShallow(child, pending));
            }
        }
        return root;
    }

    public static bool DeepEquals(JsonNode? left, JsonNode? right)
    {
        var pending = new Stack<(JsonNode? Left, JsonNode? Right)>();
        pending.Push((left, right));
        while (pending.Count > 0)
        {
            var (l, r) = pending.Pop();
            switch (l, r)
            {
                case (JsonObject lo, JsonObject ro):
                    if (lo.Count != ro.Count)
                        return false;
                    foreach (var (key, value) in lo)
                    {
                        if (!ro.TryGetPropertyValue(key, out var other))
                            return false;
                        pending.Push((value, other));
                    }
                    break;
                case (JsonArray la, JsonArray ra):
                    if (la.Count != ra.Count)
                        return false;
                    for (var i = 0; i < la.Count; i++)
                        pending.Push((la[i], ra[i]));
                    break;
                case (JsonObject or JsonArray, _) or (_, JsonObject or JsonArray):
                    return false;
                default:
                    // Scalars (or nulls): the framework's comparison, which does not recurse here.
                    if (!JsonNode.DeepEquals(l, r))
                        return false;
                    break;
            }
        }
        return true;
    }

    /// <summary>A stand-in identity for a container too deep to write as text; equal only to itself.</summary>
    public static string ReferenceIdentity(JsonNode node) => "r" + RuntimeHelpers.GetHashCode(node);

    private static JsonNode? CloneShallow(JsonNode? child, Stack<(JsonNode, JsonNode)> pending)
    {
        if (child is not (JsonObject or JsonArray))
            return child?.DeepClone();
        var copy = EmptyLike(child);
        pending.Push((child, copy));
        return copy;
    }

    private static JsonNode EmptyLike(JsonNode node) => node is JsonObject ? new JsonObject() : new JsonArray();
}
