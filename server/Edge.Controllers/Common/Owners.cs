using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;

namespace Edge.Controllers.Common;

/// <summary>ownerReferences: who controls an object, and how controllers claim and release.</summary>
public static class Owners
{
    public static IEnumerable<JsonObject> References(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The reference with <c>controller: true</c>, if any.</summary>
    public static JsonObject? ControllerOf(JsonObject obj) =>
        References(obj).FirstOrDefault(r => r["controller"] is JsonValue v && v.TryGetValue<bool>(out var c) && c);

    public static bool IsControlledBy(JsonObject obj, JsonObject owner) =>
        ControllerOf(obj) is { } reference && ObjectFields.String(reference, "uid") == owner.Uid();

    /// <summary>A controller reference to <paramref name="owner"/> that blocks its foreground deletion, as workload controllers set it.</summary>
    public static JsonObject ControllerReference(JsonObject owner, ResourceType ownerResource) => new()
    {
        ["apiVersion"] = ownerResource.ApiVersion,
        ["kind"] = ownerResource.Kind,
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>The merge patch that makes <paramref name="owner"/> the controller of an orphan (keeping its other owners).</summary>
    public static JsonObject AdoptPatch(JsonObject obj, JsonObject owner, ResourceType ownerResource)
    {
        var references = new JsonArray(References(obj).Select(r => (JsonNode)r.DeepClone()).ToArray());
        references.Add((JsonNode)ControllerReference(owner, ownerResource));
        return Patch(obj, references);
    }

    /// <summary>The merge patch that drops every reference to the owner with <paramref name="ownerUid"/>.</summary>
    public static JsonObject ReleasePatch(JsonObject obj, string ownerUid)
    {
        var references = new JsonArray(References(obj).Where(r => ObjectFields.String(r, "uid") != ownerUid)
            .Select(r => (JsonNode)r.DeepClone()).ToArray());
        return Patch(obj, references);
    }

    // The uid pins the patch to the object that was looked at, not a namesake created since.
    private static JsonObject Patch(JsonObject obj, JsonArray references) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["uid"] = obj.Uid(),
            ["resourceVersion"] = obj.ResourceVersion(),
            ["ownerReferences"] = references,
        },
    };
}
