using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.ApiServer.Requests;

/// <summary>
/// A parsed JSON document as a mutable tree, with upstream's rule for a key given twice: the last
/// one wins (strict field validation reports it first). <c>JsonNode.Parse</c> would instead throw
/// on first access to such an object.
/// </summary>
internal static class JsonTrees
{
    /// <summary>The tree of an element; the element's document must stay alive as long as the tree.</summary>
    public static JsonNode? From(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject(RequestBody.NodeOptions);
                foreach (var property in element.EnumerateObject())
                {
                    obj[property.Name] = From(property.Value);
                }

                return obj;
            case JsonValueKind.Array:
                var array = new JsonArray(RequestBody.NodeOptions);
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(From(item));
                }

                return array;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return JsonValue.Create(element.GetString()!, RequestBody.NodeOptions);
            default:
                return JsonValue.Create(element, RequestBody.NodeOptions);
        }
    }
}
