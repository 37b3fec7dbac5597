using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Tables;

namespace Edge.ApiServer.Tests.Tables;

/// <summary>Builds one-row tables and reads their cells by column name, as kubectl would.</summary>
static class TableAssert
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static string Ago(TimeSpan span) => (Now - span).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public static ResourceType Resource(string group, string plural) =>
        ResourceCatalog.Resources.Single(r => r.Group == group && r.Plural == plural);

    public static JsonObject Table(string group, string plural, string json, bool includeObject = false) =>
        TableConvertor.ToTable(Resource(group, plural), [JsonNode.Parse(json)!.AsObject()], Now, includeObject, "42", null);

    /// <summary>Column name → cell text (numbers and booleans as JSON text).</summary>
    public static Dictionary<string, string> Row(string group, string plural, string json)
    {
        var table = Table(group, plural, json);
        var columns = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal(columns.Count, cells.Count);
        return columns.Zip(cells, (c, v) => (c, v is JsonValue s && s.TryGetValue<string>(out var text) ? text : v?.ToJsonString() ?? "null"))
            .ToDictionary(p => p.c, p => p.Item2);
    }

    public static List<(string Name, int Priority)> Columns(string group, string plural) =>
        TableConvertor.ColumnsFor(Resource(group, plural)).Select(c => (c.Name, c.Priority)).ToList();
}
