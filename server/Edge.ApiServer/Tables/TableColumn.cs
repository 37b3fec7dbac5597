using System.Text.Json.Nodes;

namespace Edge.ApiServer.Tables;

/// <summary>
/// A meta/v1 TableColumnDefinition. kubectl prints <see cref="Name"/> upper-cased and hides
/// columns whose <see cref="Priority"/> is not 0 unless asked for <c>-o wide</c>.
/// </summary>
public sealed record TableColumn(string Name, string Type, string Description, int Priority = 0, string Format = "")
{
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };
}
