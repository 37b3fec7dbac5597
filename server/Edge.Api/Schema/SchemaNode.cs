namespace Edge.Api.Schema;

/// <summary>
/// The schema of one JSON value, compiled from kubernetes-schema.json. Immutable once built, so
/// every request may walk it concurrently. A definition is one shared node; <c>$ref</c>s point at it.
/// </summary>
public sealed class SchemaNode
{
    /// <summary>The OpenAPI type (<c>object</c>, <c>array</c>, <c>string</c>, …); null when unconstrained.</summary>
    public string? Type { get; internal init; }

    /// <summary>The definition this node is (<c>io.k8s.api.core.v1.PodSpec</c>); null for inline schemas.</summary>
    public string? DefinitionName { get; internal init; }

    /// <summary>Known fields of an object; null when the value is not a struct-like object.</summary>
    public IReadOnlyDictionary<string, SchemaField>? Properties { get; internal set; }

    /// <summary>For a map (<c>labels</c>, <c>data</c>): the schema of every value.</summary>
    public SchemaNode? AdditionalProperties { get; internal set; }

    /// <summary>For a list: the schema of its items.</summary>
    public SchemaNode? Items { get; internal set; }

    /// <summary>
    /// Anything goes beneath this value: an object with neither known fields nor a value schema
    /// (RawExtension, FieldsV1), as upstream decodes those without looking inside.
    /// </summary>
    public bool AcceptsAnything => Properties is null && AdditionalProperties is null && Items is null && Type is null or "object";
}

/// <summary>One field of an object: its value's schema and the field's own patch metadata.</summary>
public sealed class SchemaField
{
    public required string Name { get; init; }

    public required SchemaNode Schema { get; init; }

    /// <summary><c>x-kubernetes-patch-strategy</c>: <c>merge</c>, <c>retainKeys</c> or <c>merge,retainKeys</c>.</summary>
    public string? PatchStrategy { get; init; }

    /// <summary><c>x-kubernetes-patch-merge-key</c>.</summary>
    public string? PatchMergeKey { get; init; }

    /// <summary><c>x-kubernetes-list-type</c>: <c>atomic</c>, <c>set</c> or <c>map</c>.</summary>
    public string? ListType { get; init; }

    /// <summary><c>x-kubernetes-list-map-keys</c>.</summary>
    public IReadOnlyList<string>? ListMapKeys { get; init; }
}
