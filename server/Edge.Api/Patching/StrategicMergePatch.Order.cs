using System.Text.Json.Nodes;
using Edge.Api.Schema;

namespace Edge.Api.Patching;

// The order of a merged list (upstream normalizeElementOrder / mergeSortedSlice, and the
// $setElementOrder directive from the "preserve order in strategic merge patch" design).
public static partial class StrategicMergePatch
{
    /// <summary>
    /// Orders <paramref name="merged"/>: items named by <paramref name="patchOrder"/> in that order,
    /// the others in their order in <paramref name="serverOrder"/>, interleaved by their positions in
    /// <paramref name="serverOrder"/>. A patch item the server did not have goes before the server
    /// items it meets, as upstream does (so a new container without <c>$setElementOrder</c> comes first).
    /// </summary>
    private static List<JsonNode?> Order(List<JsonNode?> merged, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string? mergeKey)
    {
        var patchIndex = IndexOf(patchOrder, mergeKey);
        var serverIndex = IndexOf(serverOrder, mergeKey);
        var patchItems = new List<(JsonNode? Item, int Rank)>();
        var serverOnly = new List<(JsonNode? Item, int Rank)>();
        foreach (var item in merged)
        {
            var key = Identity(item, mergeKey) ?? throw NoMergeKey(item, mergeKey!);
            if (patchIndex.TryGetValue(key, out var rank))
                patchItems.Add((item, rank));
            else
                serverOnly.Add((item, serverIndex.GetValueOrDefault(key, int.MaxValue)));
        }
        // OrderBy is stable, so equal ranks (unknown items) keep their relative order.
        var right = patchItems.OrderBy(p => p.Rank).Select(p => p.Item).ToList();
        var left = serverOnly.OrderBy(s => s.Rank).Select(s => s.Item).ToList();

        var result = new List<JsonNode?>(merged.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else
            {
                var leftFound = serverIndex.TryGetValue(Identity(left[i], mergeKey)!, out var li);
                var rightFound = serverIndex.TryGetValue(Identity(right[j], mergeKey)!, out var ri);
                result.Add(leftFound && rightFound && li < ri ? left[i++] : right[j++]);
            }
        }
        return result;
    }

    private static Dictionary<string, int> IndexOf(List<JsonNode?> items, string? mergeKey)
    {
        var index = new Dictionary<string, int>();
        for (var i = 0; i < items.Count; i++)
            index.TryAdd(Identity(items[i], mergeKey) ?? throw NoMergeKey(items[i], mergeKey!), i);
        return index;
    }

    /// <summary>
    /// Applies every <c>$setElementOrder/field</c> of <paramref name="patch"/>: merges the field's
    /// list and orders it. Returns the fields done, which the caller must not merge again.
    /// </summary>
    private static HashSet<string>? ApplyElementOrders(JsonObject original, JsonObject patch, IPatchSchema? schema)
    {
        HashSet<string>? done = null;
        foreach (var (key, value) in patch)
        {
            if (!key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal))
                continue;
            var field = ExtractKey(key, SetElementOrderPrefix, "invalid patch format of setElementOrder list");
            if (value is not JsonArray order)
                throw PatchException.Unclassified($"expected a []interface {{}}, but received a {JsonKinds.GoName(value)}");
            if (ApplyElementOrder(original, patch, field, order, schema?.Property(field)))
                (done ??= []).Add(field);
        }
        return done;
    }

    private static bool ApplyElementOrder(JsonObject original, JsonObject patch, string field, JsonArray order, IPatchSchema? fieldSchema)
    {
        // Without a schema the field is a plain JSON-merge-patch field: its list replaces, order and all.
        if (fieldSchema is null)
            return false;
        // An explicit null deletes the list; the main merge does that.
        if (patch.TryGetPropertyValue(field, out var patchNode) && JsonKinds.IsNull(patchNode))
            return false;
        original.TryGetPropertyValue(field, out var originalNode);
        var patchList = ListOrNull(patchNode);
        var originalList = ListOrNull(originalNode);
        var items = (originalList ?? Enumerable.Empty<JsonNode?>()).Concat(patchList ?? Enumerable.Empty<JsonNode?>());
        var objects = items.FirstOrDefault(i => i is not null) is JsonObject || order.FirstOrDefault() is JsonObject;
        var mergeKey = objects ? fieldSchema.MergeKey : null;
        if (objects && mergeKey is null)
            return false;
        if (patchList is null && originalList is null)
            return true;

        ValidateOrder(patchList, order, mergeKey);
        var serverOrder = originalList?.ToList() ?? [];
        JsonArray merged;
        if (originalList is not null && patchList is not null && fieldSchema.MergeList)
        {
            MergeList(originalList, patchList, fieldSchema);
            merged = originalList;
        }
        else if (patchList is not null)
        {
            merged = (JsonArray)Materialize(patchList, fieldSchema)!;
        }
        else
        {
            merged = originalList!;
        }
        var ordered = Order(merged.ToList(), order.ToList(), serverOrder, mergeKey);
        merged.Clear();
        original[field] = new JsonArray([.. ordered]);
        return true;
    }

    private static JsonArray? ListOrNull(JsonNode? node) => node switch
    {
        null => null,
        JsonArray list => list,
        _ when JsonKinds.IsNull(node) => null,
        _ => throw PatchException.Unclassified($"expected a []interface {{}}, but received a {JsonKinds.GoName(node)}"),
    };

    /// <summary>The patch list must be in the order <c>$setElementOrder</c> gives (upstream validatePatchWithSetOrderList).</summary>
    private static void ValidateOrder(JsonArray? patchList, JsonArray order, string? mergeKey)
    {
        if (patchList is null || patchList.Count == 0 || order.Count == 0)
            return;
        var items = patchList.Where(p => !IsDirectiveItem(p, mergeKey)).ToList();
        int p = 0, o = 0;
        while (p < items.Count && o < order.Count)
        {
            var key = Identity(items[p], mergeKey) ?? throw NoMergeKey(items[p], mergeKey!);
            var orderKey = Identity(order[o], mergeKey) ?? throw NoMergeKey(order[o], mergeKey!);
            if (key == orderKey)
                p++;
            o++;
        }
        if (p < items.Count)
            throw PatchException.Unclassified($"The order in patch list:\n{PatchLimits.Describe(patchList)}\n doesn't match $setElementOrder list:\n{PatchLimits.Describe(order)}\n");
    }

    private static bool IsDirectiveItem(JsonNode? item, string? mergeKey)
    {
        if (mergeKey is not null && item is not JsonObject)
            throw PatchException.Unclassified($"expected a map[string]interface {{}}, but received a {JsonKinds.GoName(item)}");
        return item is JsonObject obj && obj.ContainsKey(DirectiveMarker);
    }
}
