using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Patching;

// The map-level directives: $retainKeys and $deleteFromPrimitiveList/<field>.
public static partial class StrategicMergePatch
{
    /// <summary>
    /// <c>$retainKeys</c> (sent by kubectl for fields with the retainKeys strategy, such as a volume
    /// switching source): keys of the original it does not list are cleared. Upstream applies it
    /// wherever it appears, and refuses a patch that sets a key the list does not name.
    /// </summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var directive))
            return;
        if (directive is not JsonArray list)
            throw PatchException.BadRequest("invalid patch format of retainKeys");
        var retain = list
            .Where(k => JsonKinds.Kind(k) == JsonValueKind.String)
            .Select(k => k!.GetValue<string>())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (key is DirectiveMarker or RetainKeysDirective || JsonKinds.IsNull(value)
                || key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
                continue;
            if (!retain.Contains(key))
                throw PatchException.BadRequest("invalid patch format of retainKeys");
        }
        foreach (var key in original.Select(p => p.Key).Where(k => !retain.Contains(k)).ToList())
            original.Remove(key);
    }

    /// <summary><c>$deleteFromPrimitiveList/field: [values]</c> removes every occurrence of those values from the field's list.</summary>
    private static void DeleteFromPrimitiveList(JsonObject original, string key, JsonNode? value)
    {
        var field = ExtractKey(key, DeleteFromPrimitiveListPrefix, "invalid patch format of primitive list");
        if (value is not JsonArray toDelete)
            throw PatchException.BadRequest("invalid patch format of primitive list");
        if (!original.TryGetPropertyValue(field, out var current) || current is not JsonArray list)
            return;
        var doomed = toDelete.Select(JsonKinds.Identity).ToHashSet();
        var kept = list.Where(item => !doomed.Contains(JsonKinds.Identity(item))).ToList();
        list.Clear();
        foreach (var item in kept)
            list.Add(item);
    }

    /// <summary>The field a <c>prefix/field</c> directive names.</summary>
    private static string ExtractKey(string key, string prefix, string error)
    {
        var slash = key.IndexOf('/');
        if (slash < 0 || key.AsSpan(0, slash).SequenceEqual(prefix) is false)
            throw PatchException.BadRequest(error);
        return key[(slash + 1)..];
    }
}
