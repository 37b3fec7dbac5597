using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Schema;

namespace Edge.Api.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>), the server
/// side of apimachinery <c>pkg/util/strategicpatch</c> (<c>StrategicMergeMapPatch</c>). Maps merge
/// recursively; lists merge by key, as sets, or are replaced, as the schema says; the patch carries
/// directives (<c>$patch</c>, <c>$retainKeys</c>, <c>$setElementOrder/…</c>,
/// <c>$deleteFromPrimitiveList/…</c>) that never reach the result. Where the schema does not know
/// a field, the field behaves as in a JSON merge patch.
/// </summary>
/// <remarks>
/// Deliberate differences from upstream, all where upstream would let a directive leak into the
/// stored object: a value new to the original is merged into nothing (so its nested directives
/// are applied, not copied), <c>$patch: merge</c> in a map is the default merge instead of an
/// error, and <c>$deleteFromPrimitiveList</c> against a missing list deletes nothing instead of
/// storing the deletion list.
/// </remarks>
public static partial class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";

    public static JsonNode? Apply(JsonNode? original, JsonNode patch, IPatchSchema? schema)
    {
        var start = original switch
        {
            null => new JsonObject(),
            JsonObject obj => obj,
            _ => throw PatchException.BadRequest("invalid JSON document"),
        };
        // Upstream decodes the body into a map: "null" is an empty patch, anything else not a map is refused.
        if (patch is null)
            return JsonTree.Clone(start);
        if (patch is not JsonObject patchObject)
            throw PatchException.BadRequest($"json: cannot unmarshal {JsonKinds.GoName(patch)} into Go value of type map[string]interface {{}}");
        PatchLimits.CheckDepth(patch, "patch");
        PatchLimits.CheckDepth(start, "document");
        return MergeMap(JsonTree.Clone(start), patchObject, schema);
    }

    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/>, which this owns and changes; returns the result.</summary>
    private static JsonObject MergeMap(JsonObject original, JsonObject patch, IPatchSchema? schema)
    {
        PatchLimits.EnsureStack();
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            switch (DirectiveName(directive))
            {
                case "replace":
                    return MergeMapBody(new JsonObject(), patch, schema);
                case "delete":
                    // Upstream leaves an empty map, not a missing key.
                    return new JsonObject();
                case "merge":
                    break;
                default:
                    throw BadPatchType(directive, patch);
            }
        }
        return MergeMapBody(original, patch, schema);
    }

    private static JsonObject MergeMapBody(JsonObject original, JsonObject patch, IPatchSchema? schema)
    {
        ApplyRetainKeys(original, patch);
        var ordered = ApplyElementOrders(original, patch, schema);

        List<KeyValuePair<string, JsonNode?>>? deletions = null;
        foreach (var (key, value) in patch)
        {
            if (key is DirectiveMarker or RetainKeysDirective
                || key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
                || ordered?.Contains(key) == true)
                continue;
            // Deletions run after additions, so "add c, remove a" gives the same list in any key order.
            if (key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                (deletions ??= []).Add(new(key, value));
                continue;
            }
            MergeField(original, key, value, schema?.Property(key));
        }
        if (deletions is not null)
        {
            foreach (var (key, value) in deletions)
                DeleteFromPrimitiveList(original, key, value);
        }
        return original;
    }

    private static void MergeField(JsonObject original, string key, JsonNode? patchValue, IPatchSchema? field)
    {
        if (JsonKinds.IsNull(patchValue))
        {
            original.Remove(key);
            return;
        }
        original.TryGetPropertyValue(key, out var current);
        switch (current, patchValue)
        {
            case (JsonObject currentObject, JsonObject patchObject):
                var merged = MergeMap(currentObject, patchObject, field);
                if (!ReferenceEquals(merged, currentObject))
                    original[key] = merged;
                break;
            case (JsonArray currentList, JsonArray patchList) when field?.MergeList == true:
                MergeList(currentList, patchList, field);
                break;
            default:
                // Absent, null, of another type, a scalar or a list that replaces: take the patch value.
                original[key] = Materialize(patchValue, field);
                break;
        }
    }

    /// <summary>A patch value with nothing to merge into: a fresh node with its directives applied.</summary>
    private static JsonNode? Materialize(JsonNode? patchValue, IPatchSchema? schema)
    {
        PatchLimits.EnsureStack();
        switch (patchValue)
        {
            case JsonObject obj:
                return MergeMap(new JsonObject(), obj, schema);
            case JsonArray list when schema?.MergeList == true:
                var merged = new JsonArray();
                MergeList(merged, list, schema);
                return merged;
            case JsonArray list:
                return ReplacementList(list, schema);
            default:
                return JsonTree.Clone(patchValue);
        }
    }

    private static string? DirectiveName(JsonNode? directive) =>
        JsonKinds.Kind(directive) == JsonValueKind.String ? directive!.GetValue<string>() : null;

    private static PatchException BadPatchType(JsonNode? directive, JsonObject patch) =>
        PatchException.Unclassified($"unknown patch type: {PatchLimits.Describe(directive)} in map: {PatchLimits.Describe(patch)}");

    private static PatchException NoMergeKey(JsonNode? item, string mergeKey) =>
        PatchException.Unclassified($"map: {PatchLimits.Describe(item)} does not contain declared merge key: {mergeKey}");
}
