using System.Text;
using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.Common;

/// <summary>
/// The <c>pod-template-hash</c> label that tells a Deployment's ReplicaSets apart: FNV-1a (32
/// bit) of the template and the collision count, written in upstream's "safe" alphabet (no
/// vowels, no look-alike digits) so that it never spells a word.
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    public static string Compute(JsonObject template, long? collisionCount)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(template.ToJsonString()))
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount is { } count)
        {
            foreach (var b in BitConverter.GetBytes((uint)count))
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        return NameSuffix.Encode(hash);
    }

    /// <summary>Whether two pod templates are the same apart from the hash label.</summary>
    public static bool EqualIgnoringHash(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(WithoutHash(a), WithoutHash(b));

    private static JsonNode? WithoutHash(JsonNode? template)
    {
        if (template?.DeepClone() is not JsonObject copy)
        {
            return null;
        }

        if (copy["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(Label);
            if (labels.Count == 0)
            {
                (copy["metadata"] as JsonObject)!.Remove("labels");
            }
        }

        return copy;
    }
}
