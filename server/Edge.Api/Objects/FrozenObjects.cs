using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Objects;

/// <summary>
/// Objects kept as read-only JSON (<see cref="JsonElement"/> over a non-pooled document): a few
/// pointer-free arrays per object instead of a tree of hundreds of nodes. Long-lived caches (the
/// informers) keep objects this way, so the collector has little to mark and copy for them, and
/// hand each reader a tree of its own that is built lazily as far as the reader looks.
/// </summary>
public static class FrozenObjects
{
    /// <summary>A new tree over the frozen object: O(1) now, each part built when first read.</summary>
    public static JsonObject Tree(JsonElement obj) =>
        JsonObject.Create(obj) ?? throw new ArgumentException("a frozen object is not a JSON object", nameof(obj));

    public static string? Name(JsonElement obj) => MetadataString(obj, "name");

    public static string? Namespace(JsonElement obj) => MetadataString(obj, "namespace");

    public static string? ResourceVersion(JsonElement obj) => MetadataString(obj, "resourceVersion");

    /// <summary>A string field of the top-level metadata; null when missing or not a string.</summary>
    public static string? MetadataString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("metadata"u8, out var metadata) &&
        metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty(name, out var value) &&
        value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
