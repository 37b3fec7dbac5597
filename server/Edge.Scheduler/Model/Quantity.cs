using System.Globalization;

namespace Edge.Scheduler.Model;

/// <summary>
/// Kubernetes resource quantities (<c>resource.Quantity</c>): a signed decimal number with a
/// binary-SI (Ki…Ei), decimal-SI (n, u, m, k, M, G, T, P, E) or exponent (e3, E-2) suffix.
/// The scheduler needs cpu in milli-units and everything else in whole units, both rounded up
/// as upstream <c>MilliValue</c> and <c>Value</c> do.
/// </summary>
public static class Quantity
{
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
            return false;
        var i = 0;
        var negative = false;
        if (text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var numberStart = i;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits++;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits++;
            }
        }
        if (digits == 0)
            return false;
        var number = text.AsSpan(numberStart, i - numberStart);
        // More digits than decimal holds cannot change a request in any useful way; keep the leading ones.
        if (!decimal.TryParse(number.Length > 28 ? number[..28] : number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var mantissa))
            return false;
        if (number.Length > 28 && number[..28].IndexOf('.') < 0)
        {
            var dot = number.IndexOf('.');
            var integerDigits = dot < 0 ? number.Length : dot;
            if (!TryScale(ref mantissa, integerDigits - 28))
                mantissa = decimal.MaxValue;
        }

        var suffix = text.AsSpan(i);
        if (!TryApplySuffix(ref mantissa, suffix))
            return false;
        value = negative ? -mantissa : mantissa;
        return true;
    }

    /// <summary>Milli-units rounded up (cpu); null when the text is not a quantity.</summary>
    public static long? ParseMilli(string? text) => TryParse(text, out var v) ? RoundUp(v * 1000m, v) : null;

    /// <summary>Whole units rounded up (memory, storage, pods, extended resources).</summary>
    public static long? ParseValue(string? text) => TryParse(text, out var v) ? RoundUp(v, v) : null;

    static long RoundUp(decimal scaled, decimal original)
    {
        if (scaled >= long.MaxValue)
            return long.MaxValue;
        if (scaled <= long.MinValue)
            return long.MinValue;
        var up = decimal.Ceiling(scaled);
        // Decimal underflows below 1e-28; upstream still rounds any positive amount up to one unit.
        if (up == 0 && original > 0)
            return 1;
        return (long)up;
    }

    static bool TryApplySuffix(ref decimal value, ReadOnlySpan<char> suffix)
    {
        switch (suffix)
        {
            case "":
                return true;
            case "Ki": return TryMultiply(ref value, 1L << 10);
            case "Mi": return TryMultiply(ref value, 1L << 20);
            case "Gi": return TryMultiply(ref value, 1L << 30);
            case "Ti": return TryMultiply(ref value, 1L << 40);
            case "Pi": return TryMultiply(ref value, 1L << 50);
            case "Ei": return TryMultiply(ref value, 1L << 60);
            case "n": return TryScale(ref value, -9);
            case "u": return TryScale(ref value, -6);
            case "m": return TryScale(ref value, -3);
            case "k": return TryScale(ref value, 3);
            case "M": return TryScale(ref value, 6);
            case "G": return TryScale(ref value, 9);
            case "T": return TryScale(ref value, 12);
            case "P": return TryScale(ref value, 15);
            case "E": return TryScale(ref value, 18);
        }
        if (suffix[0] is not ('e' or 'E') || suffix.Length < 2)
            return false;
        var exponent = suffix[1..];
        var sign = exponent[0] is '+' or '-' ? 1 : 0;
        if (exponent.Length == sign)
            return false;
        foreach (var c in exponent[sign..])
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        if (!int.TryParse(exponent, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e))
            e = exponent[0] == '-' ? -1000 : 1000;
        return TryScale(ref value, e);
    }

    static bool TryMultiply(ref decimal value, long factor)
    {
        try
        {
            value *= factor;
        }
        catch (OverflowException)
        {
            value = decimal.MaxValue;
        }
        return true;
    }

    /// <summary>Multiplies by 10^exponent, saturating instead of overflowing; always succeeds.</summary>
    static bool TryScale(ref decimal value, int exponent)
    {
        if (value == 0)
            return true;
        for (; exponent > 0; exponent--)
        {
            if (value > decimal.MaxValue / 10)
            {
                value = decimal.MaxValue;
                return true;
            }
            value *= 10;
        }
        for (; exponent < 0 && value != 0; exponent++)
            value /= 10;
        return true;
    }
}
