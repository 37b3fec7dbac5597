using System.Text.Json.Nodes;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>ConfigMaps, Secrets, ServiceAccounts and ResourceQuotas, as upstream's printers for them.</summary>
static class ConfigPrinters
{
    public static readonly TablePrinter ConfigMap = new(
    [
        Columns.Name,
        Columns.Text("Data", "Data contains the configuration data."),
        Columns.Age,
    ], (cm, now) => [Name(cm), (long)(Count(cm, "data") + Count(cm, "binaryData")), Age(cm, now)]);

    public static readonly TablePrinter Secret = new(
    [
        Columns.Name,
        Columns.Text("Type", "Used to facilitate programmatic handling of secret data."),
        Columns.Text("Data", "Data contains the secret data."),
        Columns.Age,
    ], (secret, now) =>
    {
        // stringData is folded into data on write upstream; count it too in case it was stored as sent.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "data", "stringData" })
        {
            if (At(secret, field) is JsonObject map)
                keys.UnionWith(map.Select(p => p.Key));
        }
        return [Name(secret), StrOrNull(secret, "type") ?? "Opaque", (long)keys.Count, Age(secret, now)];
    });

    public static readonly TablePrinter ServiceAccount = new(
    [
        Columns.Name,
        Columns.Text("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        Columns.Age,
    ], (sa, now) => [Name(sa), (long)Count(sa, "secrets"), Age(sa, now)]);

    public static readonly TablePrinter ResourceQuota = new(
    [
        Columns.Name,
        Columns.Text("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        Columns.Text("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        Columns.Age,
    ], (quota, now) =>
    {
        var requests = new List<string>();
        var limits = new List<string>();
        if (At(quota, "status", "hard") is JsonObject hard)
        {
            foreach (var (resource, value) in hard.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var used = At(quota, "status", "used", resource) is { } u ? Quantity(u) : "0";
                var entry = $"{resource}: {used}/{Quantity(value)}";
                // "limits.cpu" and friends go to the LIMIT column, everything else to REQUEST.
                (resource.Split('.') is [ "limits", _, .. ] ? limits : requests).Add(entry);
            }
        }
        return [Name(quota), string.Join(", ", requests), string.Join(", ", limits), Age(quota, now)];
    });

    /// <summary>Quantities are stored in canonical text; a bare number prints as written.</summary>
    static string Quantity(JsonNode? node) => node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? v.GetValue<string>()
        : node?.ToJsonString() ?? "0";
}
