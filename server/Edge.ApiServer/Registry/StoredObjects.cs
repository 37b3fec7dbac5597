using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Errors;
using Edge.ApiServer.Requests;
using Edge.Store;

namespace Edge.ApiServer.Registry;

/// <summary>
/// How objects sit in the store: the key <c>/registry/&lt;group-resource&gt;/[&lt;namespace&gt;/]&lt;name&gt;</c>
/// and the object's JSON without its resourceVersion, which is the key's mod revision and is
/// put back on every read (so it can never disagree with the store).
/// </summary>
public static class StoredObjects
{
    public static string Key(ResourceType resource, string? ns, string name) =>
        resource.Namespaced ? $"{resource.StorePrefix}{ns}/{name}" : $"{resource.StorePrefix}{name}";

    /// <summary>The prefix of one namespace's objects, or of all of them.</summary>
    public static string Prefix(ResourceType resource, string? ns) =>
        resource.Namespaced && ns is not null ? $"{resource.StorePrefix}{ns}/" : resource.StorePrefix;

    public static JsonObject Decode(KeyValue kv) => Decode(kv.Value, kv.ModRevision);

    public static JsonObject Decode(byte[] value, long revision)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(value, RequestBody.NodeOptions, RequestBody.DocumentOptions) as JsonObject
                ?? throw ApiException.Internal("a stored object is not a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.Internal($"a stored object could not be decoded: {e.Message}");
        }

        obj.Metadata()["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return obj;
    }

    /// <summary>The stored form: the object without resourceVersion (the object itself is left as it was).</summary>
    public static byte[] Encode(JsonObject obj)
    {
        var metadata = obj.Metadata();
        var resourceVersion = metadata["resourceVersion"];
        metadata.Remove("resourceVersion");
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, JsonNodeContext.Default.JsonObject);
        }
        finally
        {
            if (resourceVersion is not null)
            {
                metadata["resourceVersion"] = resourceVersion;
            }
        }
    }

    public static string Revision(long revision) => revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
