using System.Text.Json.Nodes;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>
/// Events, as upstream <c>printEvent</c>: LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE
/// FIRST SEEN COUNT NAME. Upstream prints both API versions from one internal type, so the
/// events.k8s.io field names (regarding, note, deprecated*) are read in place of the core ones.
/// </summary>
static class EventPrinter
{
    static readonly TableColumn[] EventColumns =
    [
        Columns.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        Columns.Text("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        Columns.Text("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        Columns.Text("Object", "The object that this event is about."),
        Columns.Text("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1),
        Columns.Text("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
        Columns.Text("Message", "A human-readable description of the status of this operation."),
        Columns.Text("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
        Columns.Text("Count", "The number of times this event has occurred.", 1),
        new TableColumn("Name", "string", Columns.NameDoc, Priority: 1, Format: "name"),
    ];

    public static readonly TablePrinter Core = new(EventColumns, (e, now) => Cells(e, now, Fields.Core));

    public static readonly TablePrinter EventsV1 = new(EventColumns, (e, now) => Cells(e, now, Fields.EventsV1));

    sealed record Fields(string First, string Last, string Count, string Object, string Source, string Message)
    {
        public static readonly Fields Core = new("firstTimestamp", "lastTimestamp", "count", "involvedObject", "source", "message");
        public static readonly Fields EventsV1 = new("deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount", "regarding", "deprecatedSource", "note");
    }

    static JsonNode?[] Cells(JsonObject e, DateTimeOffset now, Fields f)
    {
        var firstSeen = StrOrNull(e, f.First) is { } first
            ? HumanDuration.Since(first, now)
            : HumanDuration.Since(StrOrNull(e, "eventTime"), now);
        var lastSeen = StrOrNull(e, f.Last) is { } last ? HumanDuration.Since(last, now) : firstSeen;

        var count = Int(e, f.Count);
        if (At(e, "series") is JsonObject series)
        {
            lastSeen = HumanDuration.Since(StrOrNull(series, "lastObservedTime"), now);
            count = Int(series, "count");
        }
        else if (count == 0)
            count = 1; // Singleton events carry no count in the new API.

        var kind = Str(e, f.Object, "kind").ToLowerInvariant();
        var name = Str(e, f.Object, "name");
        var target = name.Length > 0 ? $"{kind}/{name}" : kind;

        var component = FirstNonEmpty(Str(e, f.Source, "component"), Str(e, "reportingComponent"), Str(e, "reportingController"));
        var host = FirstNonEmpty(Str(e, f.Source, "host"), Str(e, "reportingInstance"));
        var source = host.Length == 0 ? component : $"{component}, {host}";

        return
        [
            lastSeen,
            Str(e, "type"),
            Str(e, "reason"),
            target,
            Str(e, f.Object, "fieldPath"),
            source,
            Str(e, f.Message).Trim(),
            firstSeen,
            count,
            Name(e),
        ];
    }

    static string FirstNonEmpty(params string[] values) => values.FirstOrDefault(v => v.Length > 0) ?? "";
}
