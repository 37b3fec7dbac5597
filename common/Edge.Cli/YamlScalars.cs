using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Edge.Cli;

/// <summary>
/// A YAML scalar as the JSON value Kubernetes tooling reads it (sigs.k8s.io/yaml's rules): plain
/// <c>true</c>/<c>false</c>, <c>null</c>/<c>~</c>/empty, integers and floats are typed; quoted
/// scalars and everything else stay strings. Shared by the API server's YAML bodies and the
/// agent's manifest files, so both read a document the same way.
/// </summary>
public static class YamlScalars
{
    public static JsonNode? ToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (IsInteger(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (IsFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    // YAML 1.2 core schema's int and float forms, matched by hand: the two regular expressions they
    // used to be brought System.Text.RegularExpressions into both binaries (about 0.5 MB of the agent).

    /// <summary><c>[-+]?(0|[1-9][0-9]*)</c></summary>
    internal static bool IsInteger(ReadOnlySpan<char> text)
    {
        text = WithoutSign(text);
        return text.Length > 0 && (text[0] == '0' ? text.Length == 1 : Digits(text) == text.Length);
    }

    /// <summary><c>[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?</c></summary>
    internal static bool IsFloat(ReadOnlySpan<char> text)
    {
        text = WithoutSign(text);
        var whole = Digits(text);
        text = text[whole..];
        if (text.Length > 0 && text[0] == '.')
        {
            var fraction = Digits(text[1..]);
            if (whole == 0 && fraction == 0)
            {
                return false;
            }

            text = text[(1 + fraction)..];
        }
        else if (whole == 0)
        {
            return false;
        }

        if (text.Length > 0 && text[0] is 'e' or 'E')
        {
            text = WithoutSign(text[1..]);
            var exponent = Digits(text);
            if (exponent == 0)
            {
                return false;
            }

            text = text[exponent..];
        }

        return text.Length == 0;
    }

    private static ReadOnlySpan<char> WithoutSign(ReadOnlySpan<char> text) =>
        text.Length > 0 && text[0] is '-' or '+' ? text[1..] : text;

    /// <summary>How many ASCII digits <paramref name="text"/> starts with.</summary>
    private static int Digits(ReadOnlySpan<char> text) =>
        text.IndexOfAnyExceptInRange('0', '9') is var end and >= 0 ? end : text.Length;
}
