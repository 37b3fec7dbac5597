namespace Edge.Api.Schema;

/// <summary>
/// <see cref="IPatchSchema"/> over the compiled schema: a value's node seen through the field that
/// holds it, since the strategy and merge key are the field's, not the referenced type's.
/// </summary>
internal sealed class PatchSchemaView(SchemaNode node, SchemaField? holder) : IPatchSchema
{
    public IPatchSchema? Property(string name)
    {
        if (node.Properties?.GetValueOrDefault(name) is { } property)
        {
            return new PatchSchemaView(property.Schema, property);
        }

        return node.AdditionalProperties is { } values ? new PatchSchemaView(values, null) : null;
    }

    public IPatchSchema? Items => node.Items is { } items ? new PatchSchemaView(items, null) : null;

    public bool MergeList => node.Type == "array" && HasStrategy("merge");

    public string? MergeKey => MergeList ? holder?.PatchMergeKey : null;

    public bool RetainKeys => HasStrategy("retainKeys");

    bool HasStrategy(string strategy) =>
        holder?.PatchStrategy?.Split(',').Contains(strategy, StringComparer.Ordinal) == true;
}
