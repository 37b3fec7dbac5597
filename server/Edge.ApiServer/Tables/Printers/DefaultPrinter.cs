using System.Globalization;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>
/// Upstream's <c>DefaultTableConvertor</c> for resources without a printer (LimitRange among
/// ours): NAME and CREATED AT, the latter as an RFC 3339 UTC timestamp rather than an age.
/// </summary>
static class DefaultPrinter
{
    public static readonly TablePrinter Printer = new(
    [
        Columns.Name,
        new TableColumn("Created At", "date", Columns.CreationTimestampDoc),
    ], (obj, _) =>
    {
        var created = HumanDuration.TryParse(StrOrNull(obj, "metadata", "creationTimestamp"), out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "0001-01-01T00:00:00Z";
        return [Name(obj), created];
    });
}
