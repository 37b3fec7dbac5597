namespace Edge.Api.Errors;

/// <summary>
/// One invalid field, worded as apimachinery's <c>field.Error</c>
/// (<c>metadata.name: Invalid value: "A": a lowercase RFC 1123 subdomain must …</c>).
/// </summary>
public sealed record FieldError(string Field, string Reason, string Detail)
{
    public static FieldError Required(string field, string detail = "") =>
        new(field, "FieldValueRequired", detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public static FieldError InvalidValue(string field, object? value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: {Quote(value)}: {detail}");

    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported", $"Unsupported value: {Quote(value)}: supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");

    public static FieldError Duplicate(string field, object? value) =>
        new(field, "FieldValueDuplicate", $"Duplicate value: {Quote(value)}");

    public static FieldError Forbidden(string field, string detail) => new(field, "FieldValueForbidden", $"Forbidden: {detail}");

    public static FieldError Immutable(string field) => InvalidValueNoValue(field, "field is immutable");

    public override string ToString() => $"{Field}: {Detail}";

    private static FieldError InvalidValueNoValue(string field, string detail) => new(field, "FieldValueInvalid", $"Invalid value: {detail}");

    private static string Quote(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
