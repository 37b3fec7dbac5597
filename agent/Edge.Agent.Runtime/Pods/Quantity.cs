using System.Globalization;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// Kubernetes resource quantities (<c>100m</c>, <c>0.5</c>, <c>64Mi</c>, <c>1G</c>, <c>129e6</c>) as
/// numbers. The server has validated them; a value this parser cannot read is a bug upstream of it.
/// </summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    public static decimal Parse(string text)
    {
        var value = text.Trim();
        foreach (var (suffix, factor) in Suffixes)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal) && value.Length > suffix.Length && char.IsAsciiDigit(value[^(suffix.Length + 1)]))
            {
                return decimal.Parse(value[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture) * factor;
            }
        }

        return decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>CPU in millicores, rounded up as upstream does (<c>0.0001</c> → 1m).</summary>
    public static long MilliCpu(string text) => (long)Math.Ceiling(Parse(text) * 1000);

    /// <summary>Bytes of a user-given size; false for anything that is not a quantity.</summary>
    public static bool TryBytes(string text, out long bytes)
    {
        try
        {
            bytes = Bytes(text);
            return bytes >= 0;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            bytes = 0;
            return false;
        }
    }

    /// <summary>Bytes, rounded up.</summary>
    public static long Bytes(string text) => (long)Math.Ceiling(Parse(text));
}
