using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Schema;

namespace Edge.Api.Patching;

// Lists whose field says "merge": objects by merge key, scalars as a set (upstream mergeSlice).
public static partial class StrategicMergePatch
{
    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/> in place.</summary>
    private static void MergeList(JsonArray original, JsonArray patch, IPatchSchema field)
    {
        PatchLimits.EnsureStack();
        if (original.Count == 0 && patch.Count == 0)
            return;
        var kind = ElementKind(original, patch);
        var originalItems = original.ToList();
        List<JsonNode?> result;
        if (kind != JsonValueKind.Object)
        {
            // Scalars: a set union that keeps the original's order (duplicates collapse, as upstream).
            var merged = Deduplicate(originalItems.Concat(patch.Select(p => JsonTree.Clone(p))));
            result = Order(merged, patch.ToList(), originalItems, mergeKey: null);
        }
        else
        {
            var mergeKey = field.MergeKey
                ?? throw PatchException.Unclassified("cannot merge lists without merge key for type object");
            result = MergeObjects(originalItems, patch, field.Items, mergeKey);
        }
        original.Clear();
        foreach (var item in result)
            original.Add(item);
    }

    private static List<JsonNode?> MergeObjects(List<JsonNode?> original, JsonArray patch, IPatchSchema? itemSchema, string mergeKey)
    {
        // Directive items first: "$patch: delete" removes by key, "$patch: replace" discards the original.
        var plain = new List<JsonObject>();
        var replace = false;
        foreach (var node in patch)
        {
            var item = (JsonObject)node!;
            if (!item.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                plain.Add(item);
                continue;
            }
            switch (DirectiveName(directive))
            {
                case "delete":
                    var key = Identity(item, mergeKey) ?? throw NoMergeKey(item, mergeKey);
                    original.RemoveAll(o => Identity(o, mergeKey) == key);
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw PatchException.Unclassified("merging lists cannot yet be specified in the patch");
                default:
                    throw BadPatchType(directive, item);
            }
        }
        if (replace)
        {
            var replaced = plain.Select(p => Materialize(p, itemSchema)).ToList();
            return Order(replaced, [], replaced, mergeKey);
        }

        var merged = new List<JsonNode?>(original);
        var positions = new Dictionary<string, int>();
        for (var i = 0; i < merged.Count; i++)
            positions.TryAdd(Identity(merged[i], mergeKey) ?? throw NoMergeKey(merged[i], mergeKey), i);
        foreach (var item in plain)
        {
            var key = Identity(item, mergeKey) ?? throw NoMergeKey(item, mergeKey);
            if (positions.TryGetValue(key, out var index))
            {
                merged[index] = MergeMap((JsonObject)merged[index]!, item, itemSchema);
            }
            else
            {
                positions[key] = merged.Count;
                merged.Add(Materialize(item, itemSchema));
            }
        }
        return Order(merged, plain.Cast<JsonNode?>().ToList(), original, mergeKey);
    }

    /// <summary>A list that replaces the original: directive items have nothing to act on and are dropped.</summary>
    private static JsonArray ReplacementList(JsonArray patch, IPatchSchema? field)
    {
        var list = new JsonArray();
        foreach (var item in patch)
        {
            if (item is JsonObject obj && obj.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                if (DirectiveName(directive) is not ("replace" or "delete" or "merge"))
                    throw BadPatchType(directive, obj);
                continue;
            }
            list.Add(Materialize(item, field?.Items));
        }
        return list;
    }

    /// <summary>The one kind every item has; upstream refuses lists of lists and mixed lists.</summary>
    private static JsonValueKind ElementKind(JsonArray original, JsonArray patch)
    {
        JsonValueKind? kind = null;
        foreach (var item in original.Concat(patch))
        {
            var itemKind = JsonKinds.Kind(item);
            if (itemKind == JsonValueKind.Array)
                throw PatchException.Unprocessable("lists of lists are not supported");
            if (kind is not null && kind != itemKind)
                throw PatchException.Unclassified($"list element types are not identical: {PatchLimits.Describe(original)}, {PatchLimits.Describe(patch)}");
            kind = itemKind;
        }
        return kind ?? JsonValueKind.Undefined;
    }

    private static List<JsonNode?> Deduplicate(IEnumerable<JsonNode?> items)
    {
        var seen = new HashSet<string>();
        return items.Where(i => seen.Add(JsonKinds.Identity(i))).ToList();
    }

    /// <summary>What identifies a list item: its merge key's value, or the scalar itself. Null when the key is missing.</summary>
    private static string? Identity(JsonNode? item, string? mergeKey)
    {
        if (mergeKey is null)
            return JsonKinds.Identity(item);
        return item is JsonObject obj && obj.TryGetPropertyValue(mergeKey, out var value) ? JsonKinds.Identity(value) : null;
    }
}
