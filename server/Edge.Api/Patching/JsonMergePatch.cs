using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

/// <summary>
/// RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>) as upstream applies it with
/// evanphx/json-patch: objects merge recursively, <c>null</c> removes a member, anything else
/// replaces. Two upstream differences from the RFC are kept: a patch that is neither an object nor
/// an array is refused ("Invalid JSON Patch", 400) instead of replacing the document, and nulls
/// are dropped from objects inside replaced values, arrays included.
/// </summary>
public static class JsonMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode patch)
    {
        if (patch is not (JsonObject or JsonArray))
            throw PatchException.BadRequest("Invalid JSON Patch");
        PatchLimits.CheckDepth(patch, "patch");
        PatchLimits.CheckDepth(target, "document");
        if (patch is JsonArray)
            return WithoutNulls(patch);
        var result = target is JsonObject obj ? JsonTree.Clone(obj) : new JsonObject();
        Merge(result, (JsonObject)patch);
        return result;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        PatchLimits.EnsureStack();
        foreach (var (name, value) in patch)
        {
            if (JsonKinds.IsNull(value))
            {
                target.Remove(name);
                continue;
            }
            if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
                continue;
            }
            target[name] = WithoutNulls(value);
        }
    }

    /// <summary>A copy with null members removed from every object, as a value new to the target is stored.</summary>
    private static JsonNode? WithoutNulls(JsonNode? value)
    {
        PatchLimits.EnsureStack();
        switch (value)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, member) in obj)
                {
                    if (!JsonKinds.IsNull(member))
                        copy[name] = WithoutNulls(member);
                }
                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                    items.Add(WithoutNulls(item));
                return items;
            default:
                return JsonTree.Clone(value);
        }
    }
}
