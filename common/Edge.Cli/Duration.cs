using System.Globalization;

namespace Edge.Cli;

/// <summary>Durations as Kubernetes and k3s users write them: <c>90s</c>, <c>30m</c>, <c>12h</c>, <c>1h30m</c>, <c>0</c>.</summary>
public static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        var rest = text.AsSpan();
        if (rest.IsEmpty)
        {
            return false;
        }

        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == rest.Length || !long.TryParse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unit = rest[digits..].StartsWith("ms") ? "ms" : rest.Slice(digits, 1).ToString();
            value += unit switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.MinValue,
            };
            if (value < TimeSpan.Zero)
            {
                return false;
            }

            rest = rest[(digits + unit.Length)..];
        }

        return true;
    }

    /// <summary>An option rule: accepts what <see cref="TryParse"/> accepts.</summary>
    public static string? Validate(string text) =>
        TryParse(text, out _) ? null : $"'{text}' is not a duration such as 90s, 30m, 12h or 1h30m";
}
