using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Google.Protobuf;

namespace Edge.Api.OpenApi;

/// <summary>
/// The OpenAPI documents Edge serves, as UTF-8 (or protobuf) bytes. Each is built from the schema
/// and ResourceCatalog on first request and cached: they never change while the process runs.
/// </summary>
public static class OpenApiDocuments
{
    static readonly Lazy<JsonObject> V2Document = new(() => OpenApiV2.Document(SchemaDefinitions.Load()));
    static readonly Lazy<byte[]> V2 = new(() => Utf8(V2Document.Value));
    static readonly Lazy<byte[]> V2Proto = new(() => GnosticEncoder.Encode(V2Document.Value).ToByteArray());
    static readonly Lazy<IReadOnlyDictionary<string, GroupVersionDocument>> V3 = new(BuildV3);
    static readonly Lazy<byte[]> Root = new(BuildRoot);

    /// <summary><c>/openapi/v3</c>: the group-version paths with their hashed URLs.</summary>
    public static byte[] V3Root() => Root.Value;

    /// <summary>A group-version document (<c>api/v1</c>, <c>apis/apps/v1</c>); null for an unknown path.</summary>
    public static byte[]? V3GroupVersion(string path) => V3.Value.GetValueOrDefault(path)?.Body;

    /// <summary>The content hash of a group-version document, as the root lists it; null for an unknown path.</summary>
    public static string? V3Hash(string path) => V3.Value.GetValueOrDefault(path)?.Hash;

    /// <summary><c>/openapi/v2</c> as JSON.</summary>
    public static byte[] V2Json() => V2.Value;

    /// <summary><c>/openapi/v2</c> as a gnostic <c>openapi_v2.Document</c>.</summary>
    public static byte[] V2Protobuf() => V2Proto.Value;

    sealed record GroupVersionDocument(byte[] Body, string Hash);

    static IReadOnlyDictionary<string, GroupVersionDocument> BuildV3()
    {
        var definitions = SchemaDefinitions.Load();
        var documents = new Dictionary<string, GroupVersionDocument>(StringComparer.Ordinal);
        foreach (var (group, version) in ResourceCatalog.GroupVersions)
        {
            var body = Utf8(OpenApiV3.GroupVersion(group, version, definitions));

            // Upstream's hash: SHA-512 of the document, hex, upper case; clients cache by it.
            documents[group.Length == 0 ? "api/v1" : $"apis/{group}/{version}"] = new(body, Convert.ToHexString(SHA512.HashData(body)));
        }

        return documents;
    }

    static byte[] BuildRoot()
    {
        var paths = new JsonObject();
        foreach (var (path, document) in V3.Value)
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={document.Hash}" };
        }

        return Utf8(new JsonObject { ["paths"] = paths });
    }

    /// <summary>Compact UTF-8 JSON; JsonNode.WriteTo needs no serializer metadata, so it is AOT-safe.</summary>
    static byte[] Utf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
