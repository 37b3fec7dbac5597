using System.Text.RegularExpressions;

namespace Edge.Api.Selectors;

/// <summary>
/// Label key and value syntax (apimachinery <c>IsQualifiedName</c>, <c>IsValidLabelValue</c>), with
/// upstream's messages so a rejected selector reads the same as against any other cluster.
/// </summary>
static partial class LabelValidation
{
    const string NameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const string NameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '"
        + NameFormat + "')";
    const string SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    const string ValueFormat = "(" + NameFormat + ")?";

    [GeneratedRegex("^" + NameFormat + "$")]
    private static partial Regex Name();

    [GeneratedRegex("^" + SubdomainFormat + "$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^" + ValueFormat + "$")]
    private static partial Regex Value();

    /// <summary>Null when <paramref name="key"/> is a valid qualified name, else the joined messages.</summary>
    public static string? QualifiedNameErrors(string key)
    {
        var errors = new List<string>();
        var parts = key.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                    errors.Add("prefix part must be non-empty");
                else
                {
                    if (prefix.Length > 253)
                        errors.Add("prefix part must be no more than 253 characters");
                    if (!Subdomain().IsMatch(prefix))
                        errors.Add("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '"
                            + SubdomainFormat + "')");
                }
                break;
            default:
                return "a qualified name " + NameMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
        }

        if (name.Length == 0)
            errors.Add("name part must be non-empty");
        else if (name.Length > 63)
            errors.Add("name part must be no more than 63 characters");
        if (name.Length > 0 && !Name().IsMatch(name))
            errors.Add("name part " + NameMessage);
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    /// <summary>Null when <paramref name="value"/> is a valid label value (empty allowed).</summary>
    public static string? LabelValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
            errors.Add("must be no more than 63 characters");
        if (!Value().IsMatch(value))
            errors.Add("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '"
                + ValueFormat + "')");
        return errors.Count == 0 ? null : string.Join("; ", errors);
    }
}
