using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>Upstream's name and label syntax (apimachinery <c>validation.IsDNS1123Subdomain</c> and friends), with its messages.</summary>
public static partial class NameRules
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string QualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    public static void Subdomain(string field, string value, List<FieldError> errors)
    {
        if (value.Length > 253)
        {
            errors.Add(FieldError.InvalidValue(field, value, "must be no more than 253 characters"));
        }
        else if (!SubdomainPattern().IsMatch(value))
        {
            errors.Add(FieldError.InvalidValue(field, value, SubdomainMessage));
        }
    }

    public static void Label(string field, string value, List<FieldError> errors)
    {
        if (value.Length > 63)
        {
            errors.Add(FieldError.InvalidValue(field, value, "must be no more than 63 characters"));
        }
        else if (!LabelPattern().IsMatch(value))
        {
            errors.Add(FieldError.InvalidValue(field, value, LabelMessage));
        }
    }

    /// <summary>Label and annotation keys: <c>[prefix/]name</c>.</summary>
    public static void QualifiedName(string field, string key, List<FieldError> errors)
    {
        var slash = key.IndexOf('/');
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || prefix.Length > 253 || !SubdomainPattern().IsMatch(prefix))
            {
                errors.Add(FieldError.InvalidValue(field, key, "prefix part " + SubdomainMessage));
            }
        }

        if (name.Length == 0)
        {
            errors.Add(FieldError.InvalidValue(field, key, "name part must be non-empty"));
        }
        else if (name.Length > 63)
        {
            errors.Add(FieldError.InvalidValue(field, key, "name part must be no more than 63 characters"));
        }
        else if (!QualifiedPattern().IsMatch(name))
        {
            errors.Add(FieldError.InvalidValue(field, key, QualifiedNameMessage));
        }
    }

    public static void Labels(string field, JsonNode? labels, List<FieldError> errors)
    {
        if (labels is null)
        {
            return;
        }

        if (labels is not JsonObject map)
        {
            errors.Add(FieldError.InvalidValue(field, null, "must be a map of strings"));
            return;
        }

        foreach (var (key, value) in map)
        {
            QualifiedName(field, key, errors);
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                errors.Add(FieldError.InvalidValue($"{field}[{key}]", null, "must be a string"));
                continue;
            }

            if (text.Length > 63)
            {
                errors.Add(FieldError.InvalidValue(field, text, "must be no more than 63 characters"));
            }
            else if (!LabelValuePattern().IsMatch(text))
            {
                errors.Add(FieldError.InvalidValue(field, text, LabelValueMessage));
            }
        }
    }

    /// <summary>Annotations: valid keys, string values, 256 KiB in total as upstream.</summary>
    public static void Annotations(string field, JsonNode? annotations, List<FieldError> errors)
    {
        if (annotations is null)
        {
            return;
        }

        if (annotations is not JsonObject map)
        {
            errors.Add(FieldError.InvalidValue(field, null, "must be a map of strings"));
            return;
        }

        long total = 0;
        foreach (var (key, value) in map)
        {
            QualifiedName(field, key, errors);
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text))
            {
                errors.Add(FieldError.InvalidValue($"{field}[{key}]", null, "must be a string"));
                continue;
            }

            total += key.Length + text.Length;
        }

        if (total > 256 * 1024)
        {
            errors.Add(new FieldError(field, "FieldValueTooLong", $"Too long: must have at most {256 * 1024} bytes"));
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedPattern();

    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValuePattern();
}
