using System.Text.RegularExpressions;
using Edge.Api.Errors;

namespace Edge.ApiServer.Admission;

/// <summary>Keys of ConfigMap and Secret data (upstream <c>IsConfigMapKey</c>).</summary>
internal static partial class ConfigKeys
{
    public static void Validate(string field, string key, List<FieldError> errors)
    {
        if (key.Length == 0 || key.Length > 253 || !Pattern().IsMatch(key) || key is "." or "..")
        {
            errors.Add(FieldError.InvalidValue(field, key,
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
        }
    }

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+$")]
    private static partial Regex Pattern();
}
