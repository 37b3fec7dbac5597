using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Kinds that are data rather than a spec with a status: no generation to track. ConfigMaps and
/// Secrets marked <c>immutable: true</c> keep their data and the mark for good, as upstream.
/// </summary>
public class DataStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public override bool TracksGeneration => false;

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        if (Resource.Group.Length != 0 || Resource.Kind is not ("ConfigMap" or "Secret"))
        {
            return;
        }

        if (Resource.Kind == "ConfigMap")
        {
            ValidateKeys(obj, errors);
        }

        if (old?["immutable"] is JsonValue mark && mark.GetValueKind() == JsonValueKind.True)
        {
            if (obj["immutable"] is not JsonValue now || now.GetValueKind() != JsonValueKind.True)
            {
                errors.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
            }

            foreach (var field in new[] { "data", "binaryData", "stringData" })
            {
                if (!JsonNode.DeepEquals(obj[field], old[field]) && !(field == "stringData" && obj[field] is null))
                {
                    errors.Add(FieldError.Forbidden(field, "field is immutable when `immutable` is set"));
                }
            }
        }
    }

    private static void ValidateKeys(JsonObject obj, List<FieldError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "data", "binaryData" })
        {
            if (obj[field] is null)
            {
                continue;
            }

            if (obj[field] is not JsonObject map)
            {
                errors.Add(FieldError.InvalidValue(field, null, "must be a map"));
                continue;
            }

            foreach (var (key, value) in map)
            {
                ConfigKeys.Validate($"{field}[{key}]", key, errors);
                if (!seen.Add(key))
                {
                    errors.Add(FieldError.InvalidValue($"{field}[{key}]", key, "duplicate of key present in " + (field == "data" ? "binaryData" : "data")));
                }

                if (field == "data" && (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                {
                    errors.Add(FieldError.InvalidValue($"data[{key}]", null, "must be a string"));
                }
            }
        }
    }
}
