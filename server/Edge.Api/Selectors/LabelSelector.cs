using System.Text.Json.Nodes;

namespace Edge.Api.Selectors;

/// <summary>
/// A parsed label selector: an AND of requirements sorted by key (as upstream, so equal selectors
/// print alike). <see cref="Nothing"/> is distinct from the empty selector: a nil
/// metav1.LabelSelector selects no object, an empty one selects every object.
/// </summary>
public sealed class LabelSelector
{
    LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing)
    {
        Requirements = requirements;
        MatchesNothing = matchesNothing;
    }

    /// <summary>Selects every object.</summary>
    public static LabelSelector Everything { get; } = new([], false);

    /// <summary>Selects no object (a nil metav1.LabelSelector).</summary>
    public static LabelSelector Nothing { get; } = new([], true);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool MatchesNothing { get; }

    /// <summary>True when the selector does not restrict anything (not true for <see cref="Nothing"/>).</summary>
    public bool IsEmpty => !MatchesNothing && Requirements.Count == 0;

    /// <summary>Parses the <c>labelSelector</c> query syntax; null or blank selects everything.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Everything;
        return Of(LabelSelectorParser.Parse(text));
    }

    /// <summary>
    /// Converts a metav1.LabelSelector (<c>matchLabels</c>, <c>matchExpressions</c>) as upstream
    /// <c>LabelSelectorAsSelector</c>: null → <see cref="Nothing"/>, empty → <see cref="Everything"/>.
    /// </summary>
    public static LabelSelector FromObject(JsonObject? selector)
    {
        if (selector is null)
            return Nothing;
        var requirements = new List<LabelRequirement>();
        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
                requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [value?.GetValue<string>() ?? ""]));
        }
        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = expression["key"]?.GetValue<string>() ?? "";
                var op = expression["operator"]?.GetValue<string>() ?? "";
                var values = expression["values"] is JsonArray array
                    ? array.Select(v => v?.GetValue<string>() ?? "").ToList()
                    : [];
                var parsed = op switch
                {
                    "In" => LabelOperator.In,
                    "NotIn" => LabelOperator.NotIn,
                    "Exists" => LabelOperator.Exists,
                    "DoesNotExist" => LabelOperator.DoesNotExist,
                    _ => throw new SelectorException($"\"{op}\" is not a valid label selector operator"),
                };
                requirements.Add(LabelRequirement.Create(key, parsed,
                    parsed is LabelOperator.Exists or LabelOperator.DoesNotExist ? [] : values));
            }
        }
        return requirements.Count == 0 ? Everything : Of(requirements);
    }

    /// <summary>True when every requirement holds for <paramref name="labels"/> (an object's <c>metadata.labels</c>).</summary>
    public bool Matches(JsonObject? labels)
    {
        if (MatchesNothing)
            return false;
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The value a requirement pins <paramref name="key"/> to (<c>=</c>, <c>==</c>, or <c>in</c> with one
    /// value), so a caller can narrow a lookup; as upstream <c>RequiresExactMatch</c>.
    /// </summary>
    public bool TryGetExactValue(string key, out string value)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Key != key)
                continue;
            if (requirement.Operator is LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.In
                && requirement.Values.Count == 1)
            {
                value = requirement.Values[0];
                return true;
            }
            break;
        }
        value = "";
        return false;
    }

    /// <summary>Canonical text: requirements joined by "," (empty for Everything and Nothing).</summary>
    public override string ToString() => string.Join(",", Requirements);

    /// <summary>kubectl-style display of a metav1.LabelSelector: <c>&lt;none&gt;</c> when it prints empty.</summary>
    public static string Format(JsonObject? selector)
    {
        try
        {
            var text = FromObject(selector).ToString();
            return text.Length == 0 ? "<none>" : text;
        }
        catch (SelectorException)
        {
            return "<error>";
        }
    }

    static LabelSelector Of(IEnumerable<LabelRequirement> requirements) =>
        new(requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToList(), false);
}
