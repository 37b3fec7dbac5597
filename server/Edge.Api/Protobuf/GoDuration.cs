using System.Globalization;

namespace Edge.Api.Protobuf;

/// <summary>Go's <c>time.Duration.String()</c>, the JSON form of <c>metav1.Duration</c>: "1h2m3.5s", "1.5ms", "0s".</summary>
internal static class GoDuration
{
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var negative = nanoseconds < 0;
        var value = negative ? unchecked((ulong)-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;

        string text;
        if (value < 1_000_000_000)
        {
            text = value switch
            {
                < 1_000 => Fraction(value, 1, 0) + "ns",
                < 1_000_000 => Fraction(value, 1_000, 3) + "µs",
                _ => Fraction(value, 1_000_000, 6) + "ms",
            };
        }
        else
        {
            const ulong Minute = 60_000_000_000, Hour = 60 * Minute;
            ulong hours = value / Hour, minutes = value % Hour / Minute, rest = value % Minute;
            text = (hours > 0 ? hours.ToString(CultureInfo.InvariantCulture) + "h" : "")
                + (hours > 0 || minutes > 0 ? minutes.ToString(CultureInfo.InvariantCulture) + "m" : "")
                + Fraction(rest, 1_000_000_000, 9) + "s";
        }

        return negative ? "-" + text : text;
    }

    static string Fraction(ulong value, ulong unit, int digits)
    {
        var whole = (value / unit).ToString(CultureInfo.InvariantCulture);
        var fraction = value % unit;
        if (fraction == 0) return whole;
        return whole + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}
