using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Secrets: <c>stringData</c> is write-only convenience folded into base64 <c>data</c> (as
/// upstream's conversion does), values must be base64, the type defaults to Opaque and is immutable.
/// </summary>
public sealed class SecretStrategy(ResourceType resource) : DataStrategy(resource)
{
    public override void PrepareForCreate(System.Text.Json.Nodes.JsonObject obj)
    {
        base.PrepareForCreate(obj);
        FoldStringData(obj);
        obj["type"] ??= "Opaque";
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        FoldStringData(obj);
        obj["type"] ??= old["type"]?.DeepClone() ?? "Opaque";
    }

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        if (obj["data"] is { } data)
        {
            if (data is not JsonObject map)
            {
                errors.Add(FieldError.InvalidValue("data", null, "must be a map of base64 strings"));
            }
            else
            {
                foreach (var (key, value) in map)
                {
                    ConfigKeys.Validate($"data[{key}]", key, errors);
                    if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String || !IsBase64(v.GetValue<string>()))
                    {
                        errors.Add(FieldError.InvalidValue($"data[{key}]", null, "must be a base64-encoded string"));
                    }
                }
            }
        }

        if (old is not null && old["type"]?.ToJsonString() != obj["type"]?.ToJsonString())
        {
            errors.Add(FieldError.Immutable("type"));
        }
    }

    private static void FoldStringData(JsonObject obj)
    {
        if (obj["stringData"] is not JsonObject stringData)
        {
            obj.Remove("stringData");
            return;
        }

        var data = obj["data"] as JsonObject ?? new JsonObject();
        foreach (var (key, value) in stringData)
        {
            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
            data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        }

        obj["data"] = data;
        obj.Remove("stringData");
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
