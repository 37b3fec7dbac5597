using System.Text;

namespace Edge.Api.Selectors;

/// <summary>
/// A parsed field selector (apimachinery <c>fields.ParseSelector</c>): comma-separated
/// <c>a=b</c>, <c>a==b</c>, <c>a!=b</c> terms, ANDed. A backslash escapes <c>\</c>, <c>,</c> and
/// <c>=</c> in values. Terms are kept sorted as upstream does, so equal selectors print alike.
/// </summary>
public sealed class FieldSelector
{
    static readonly string[] Operators = ["!=", "==", "="];

    FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    /// <summary>Parses the <c>fieldSelector</c> query syntax; null or empty selects everything.</summary>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Everything;
        var parts = SplitTerms(text);
        parts.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
                continue;
            if (!TrySplitTerm(part, out var field, out var op, out var value))
                throw new SelectorException($"invalid selector: '{text}'; can't understand '{part}'");
            requirements.Add(new FieldRequirement(field, Unescape(value), op == "!="));
        }
        return new FieldSelector(requirements);
    }

    public bool Matches(Func<string, string?> valueOf)
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(valueOf))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The value an equality term pins <paramref name="field"/> to, e.g. <c>metadata.name</c> for
    /// <c>kubectl get -w NAME</c>, so the server can read one object instead of listing.
    /// </summary>
    public bool TryGetExactValue(string field, out string value)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Field == field && !requirement.Negated)
            {
                value = requirement.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    public override string ToString() => string.Join(",", Requirements);

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> as upstream <c>EscapeValue</c>.</summary>
    public static string Escape(string value) =>
        value.Replace(@"\", @"\\").Replace(",", @"\,").Replace("=", @"\=");

    /// <summary>Splits on commas that are not escaped, keeping escapes for the later unescape.</summary>
    static List<string> SplitTerms(string text)
    {
        var terms = new List<string>();
        var start = 0;
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (escaped)
                escaped = false;
            else if (text[i] == '\\')
                escaped = true;
            else if (text[i] == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }
        terms.Add(text[start..]);
        return terms;
    }

    /// <summary>The first unescaped operator splits the term; <c>!=</c> and <c>==</c> win over <c>=</c>.</summary>
    static bool TrySplitTerm(string term, out string field, out string op, out string value)
    {
        var escaped = false;
        for (var i = 0; i < term.Length; i++)
        {
            if (escaped)
            {
                escaped = false;
                continue;
            }
            if (term[i] == '\\')
            {
                escaped = true;
                continue;
            }
            foreach (var candidate in Operators)
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    field = term[..i];
                    op = candidate;
                    value = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }
        field = op = value = "";
        return false;
    }

    static string Unescape(string value)
    {
        if (value.IndexOfAny(['\\', ',', '=']) < 0)
            return value;
        var result = new StringBuilder(value.Length);
        var escaped = false;
        foreach (var c in value)
        {
            if (escaped)
            {
                if (c is not ('\\' or ',' or '='))
                    throw new SelectorException($"invalid field selector: invalid escape sequence: \\{c}");
                result.Append(c);
                escaped = false;
            }
            else if (c == '\\')
                escaped = true;
            else if (c is ',' or '=')
                // Go prints the rune with %v, i.e. as its number.
                throw new SelectorException($"invalid field selector: unescaped character in value: {(int)c}");
            else
                result.Append(c);
        }
        if (escaped)
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        return result.ToString();
    }
}
