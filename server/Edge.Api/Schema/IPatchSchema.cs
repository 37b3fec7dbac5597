namespace Edge.Api.Schema;

/// <summary>
/// What strategic merge patch needs to know about one value in an object: the schema of its
/// properties or list items, and the <c>x-kubernetes-patch-strategy</c> /
/// <c>x-kubernetes-patch-merge-key</c> of the field that holds it. A property lookup returns a
/// per-field view, because the strategy belongs to the field, not to the type it refers to.
/// </summary>
public interface IPatchSchema
{
    /// <summary>The schema of a property's value; for a map (additionalProperties) the schema of any value. Null when unknown.</summary>
    IPatchSchema? Property(string name);

    /// <summary>For a list: the schema of its items. Null when this is not a list or the items are unknown.</summary>
    IPatchSchema? Items { get; }

    /// <summary>The list merges by key (or as a set for primitives) instead of being replaced.</summary>
    bool MergeList { get; }

    /// <summary>For a merged list of objects: the field that identifies an item (<c>name</c>, <c>containerPort</c>).</summary>
    string? MergeKey { get; }

    /// <summary>The field carries <c>retainKeys</c>: keys absent from the patch's <c>$retainKeys</c> are cleared.</summary>
    bool RetainKeys { get; }
}
