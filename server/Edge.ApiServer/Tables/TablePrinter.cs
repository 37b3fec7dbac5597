using System.Text.Json.Nodes;

namespace Edge.ApiServer.Tables;

/// <summary>One resource's columns and how to fill a row's cells from an object at a moment.</summary>
sealed record TablePrinter(IReadOnlyList<TableColumn> Columns, Func<JsonObject, DateTimeOffset, JsonNode?[]> Cells)
{
    /// <summary>Optional row conditions (pods mark Succeeded/Failed rows as Completed).</summary>
    public Func<JsonObject, JsonNode?[]?>? Conditions { get; init; }
}
