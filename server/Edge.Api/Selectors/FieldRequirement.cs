namespace Edge.Api.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> or <c>field!=value</c> (value unescaped).</summary>
public sealed record FieldRequirement(string Field, string Value, bool Negated)
{
    public bool Matches(Func<string, string?> valueOf)
    {
        var actual = valueOf(Field) ?? "";
        return Negated ? actual != Value : actual == Value;
    }

    /// <summary>Upstream's text, with the value re-escaped so it parses back to the same term.</summary>
    public override string ToString() => $"{Field}{(Negated ? "!=" : "=")}{FieldSelector.Escape(Value)}";
}
