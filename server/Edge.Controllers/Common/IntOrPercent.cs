using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Controllers.Common;

/// <summary>An IntOrString field such as maxSurge ("25%" or 2) resolved against a total.</summary>
public static class IntOrPercent
{
    public static int Resolve(JsonNode? value, int total, bool roundUp, int fallback)
    {
        if (value is not JsonValue v)
        {
            return fallback;
        }

        if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n))
        {
            return n;
        }

        if (v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { } text && text.EndsWith('%') &&
            int.TryParse(text[..^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent))
        {
            var scaled = (double)percent * total / 100;
            return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
        }

        return fallback;
    }
}
