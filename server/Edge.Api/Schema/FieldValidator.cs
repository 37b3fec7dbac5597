using System.Text.Json;

namespace Edge.Api.Schema;

/// <summary>
/// Server-side field validation (<c>fieldValidation=Strict|Warn</c>): unknown and duplicate fields
/// in a request body, worded as upstream's strict JSON decoder (sigs.k8s.io/json) words them:
/// <c>unknown field "spec.template.spec.containers[0].imagee"</c>, <c>duplicate field "metadata.name"</c>.
/// Paths join fields and map keys with dots and put list indices in brackets. Beneath values
/// without a schema (RawExtension, FieldsV1) nothing is checked, as upstream keeps them raw.
/// </summary>
public static class FieldValidator
{
    /// <summary>Upstream stops collecting strict errors at 100.</summary>
    const int MaxProblems = 100;

    /// <summary>
    /// The problems in a JSON body of a kind, in document order without repeats; empty when the
    /// kind has no schema. Throws <see cref="JsonException"/> when the body is not JSON.
    /// </summary>
    public static IReadOnlyList<string> Validate(ReadOnlyMemory<byte> body, string group, string version, string kind)
    {
        if (ApiSchema.Default.ForKindNode(group, version, kind) is not { } schema)
        {
            return [];
        }

        // JsonDocument keeps repeated properties, which is what lets duplicates be seen at all.
        using var document = JsonDocument.Parse(body);
        return Validate(document.RootElement, schema);
    }

    /// <summary>The problems in a parsed value against a schema.</summary>
    public static IReadOnlyList<string> Validate(JsonElement value, SchemaNode schema)
    {
        var problems = new Problems();
        Walk(value, schema, "", problems);
        return problems.List;
    }

    /// <summary>
    /// The Status message of a 400 under Strict, as the apiserver builds it for create and update:
    /// <c>Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: …</c>.
    /// </summary>
    public static string StrictErrorMessage(string kind, string version, IReadOnlyList<string> problems) =>
        $"{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {string.Join(", ", problems)}";

    static void Walk(JsonElement value, SchemaNode schema, string path, Problems problems)
    {
        if (schema.AcceptsAnything || problems.Full)
        {
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object when schema.Properties is { } fields:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    // Strategic merge patch directives ($patch, $setElementOrder/…, $retainKeys,
                    // $deleteFromPrimitiveList/…) are not fields; no real field starts with '$'.
                    if (property.Name.StartsWith('$'))
                    {
                        continue;
                    }

                    var child = Join(path, property.Name);
                    if (!fields.TryGetValue(property.Name, out var field))
                    {
                        problems.Add($"unknown field \"{child}\"");
                        continue;
                    }

                    if (!seen.Add(property.Name))
                    {
                        problems.Add($"duplicate field \"{child}\"");
                    }

                    Walk(property.Value, field.Schema, child, problems);
                }

                break;

            case JsonValueKind.Object when schema.AdditionalProperties is { } values:
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    var child = Join(path, property.Name);
                    if (!keys.Add(property.Name))
                    {
                        problems.Add($"duplicate field \"{child}\"");
                    }

                    Walk(property.Value, values, child, problems);
                }

                break;

            case JsonValueKind.Array when schema.Items is { } items:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Walk(item, items, $"{path}[{index++}]", problems);
                }

                break;

            // A value of the wrong JSON type is a decoding error the caller reports, not a field problem.
        }
    }

    static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    sealed class Problems
    {
        readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public List<string> List { get; } = [];

        public bool Full => List.Count >= MaxProblems;

        public void Add(string problem)
        {
            if (!Full && _seen.Add(problem))
            {
                List.Add(problem);
            }
        }
    }
}
