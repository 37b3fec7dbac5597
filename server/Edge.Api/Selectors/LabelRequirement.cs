using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Api.Selectors;

/// <summary>
/// One clause of a label selector: a key, an operator and (for the binary operators) values.
/// Build through <see cref="Create"/>, which applies upstream's validation.
/// </summary>
public sealed class LabelRequirement
{
    LabelRequirement(string key, LabelOperator op, IReadOnlyList<string> values)
    {
        Key = key;
        Operator = op;
        Values = values;
    }

    public string Key { get; }

    public LabelOperator Operator { get; }

    /// <summary>Values in the order given; duplicates removed by the string parser as upstream's set does.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Validates as upstream <c>NewRequirement</c>; <paramref name="path"/> prefixes field paths in messages.</summary>
    public static LabelRequirement Create(string key, LabelOperator op, IReadOnlyList<string> values, string path = "")
    {
        var errors = new List<string>();
        if (LabelValidation.QualifiedNameErrors(key) is { } keyError)
            errors.Add(Invalid(Child(path, "key"), key, keyError));

        var valuesPath = Child(path, "values");
        switch (op)
        {
            case LabelOperator.In or LabelOperator.NotIn when values.Count == 0:
                errors.Add(Invalid(valuesPath, "[]", "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.NotEquals when values.Count != 1:
                errors.Add(Invalid(valuesPath, List(values), "exact-match compatibility requires one single value"));
                break;
            case LabelOperator.Exists or LabelOperator.DoesNotExist when values.Count != 0:
                errors.Add(Invalid(valuesPath, List(values), "values set must be empty for exists and does not exist"));
                break;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (values.Count != 1)
                    errors.Add(Invalid(valuesPath, List(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
                for (var i = 0; i < values.Count; i++)
                {
                    if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                        errors.Add(Invalid($"{valuesPath}[{i}]", values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
                }
                break;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (LabelValidation.LabelValueErrors(values[i]) is { } valueError)
                errors.Add(Invalid($"{valuesPath}[{i}][{key}]", values[i], valueError));
        }

        // field.ErrorList.ToAggregate: one error prints bare, several in brackets.
        if (errors.Count == 1)
            throw new SelectorException(errors[0]);
        if (errors.Count > 1)
            throw new SelectorException("[" + string.Join(", ", errors) + "]");
        return new LabelRequirement(key, op, values);
    }

    public bool Matches(JsonObject? labels)
    {
        var found = TryGetLabel(labels, Key, out var value);
        switch (Operator)
        {
            case LabelOperator.In or LabelOperator.Equals or LabelOperator.DoubleEquals:
                return found && Values.Contains(value, StringComparer.Ordinal);
            case LabelOperator.NotIn or LabelOperator.NotEquals:
                return !found || !Values.Contains(value, StringComparer.Ordinal);
            case LabelOperator.Exists:
                return found;
            case LabelOperator.DoesNotExist:
                return !found;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (!found || Values.Count != 1
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var have)
                    || !long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var want))
                    return false;
                return Operator == LabelOperator.GreaterThan ? have > want : have < want;
            default:
                return false;
        }
    }

    /// <summary>Upstream's canonical text; multiple values print sorted so equal selectors print alike.</summary>
    public override string ToString()
    {
        var prefix = Operator == LabelOperator.DoesNotExist ? "!" : "";
        var op = Operator switch
        {
            LabelOperator.Equals => "=",
            LabelOperator.DoubleEquals => "==",
            LabelOperator.NotEquals => "!=",
            LabelOperator.In => " in ",
            LabelOperator.NotIn => " notin ",
            LabelOperator.GreaterThan => ">",
            LabelOperator.LessThan => "<",
            _ => null,
        };
        if (op is null)
            return prefix + Key;
        var values = Values.Count == 1 ? Values[0] : string.Join(",", Values.Order(StringComparer.Ordinal));
        return Operator is LabelOperator.In or LabelOperator.NotIn
            ? $"{Key}{op}({values})"
            : $"{Key}{op}{values}";
    }

    internal static bool TryGetLabel(JsonObject? labels, string key, out string value)
    {
        value = "";
        if (labels is null || !labels.TryGetPropertyValue(key, out var node))
            return false;
        value = node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString() ?? "";
        return true;
    }

    static string Child(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    static string List(IReadOnlyList<string> values) => "[" + string.Join(" ", values) + "]";

    /// <summary>field.Invalid(...).Error(): <c>path: Invalid value: "v": detail</c>.</summary>
    static string Invalid(string path, string value, string detail) =>
        $"{path}: Invalid value: \"{value}\": {detail}";
}
