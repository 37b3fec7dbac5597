using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Scheduler.Model;

/// <summary>What the scheduler needs of a node, parsed once per watch event.</summary>
public sealed class SchedulingNode
{
    readonly Dictionary<string, string> _labels;

    SchedulingNode(string name, JsonObject labels, Dictionary<string, string> labelMap)
    {
        Name = name;
        Labels = labels;
        _labels = labelMap;
    }

    public string Name { get; }
    /// <summary>Our own copy of <c>metadata.labels</c>, for label selectors.</summary>
    public JsonObject Labels { get; }
    public bool Unschedulable { get; private init; }
    public Taint[] Taints { get; private init; } = [];
    public ResourceList Allocatable { get; private init; } = new();
    /// <summary>Images present on the node by every name they are known by, with their size in bytes.</summary>
    public IReadOnlyDictionary<string, long> Images { get; private init; } = new Dictionary<string, long>();

    public bool TryGetLabel(string key, out string value) => _labels.TryGetValue(key, out value!);

    public static SchedulingNode FromObject(JsonObject node)
    {
        var labelMap = new Dictionary<string, string>(StringComparer.Ordinal);
        var labels = new JsonObject();
        foreach (var (key, value) in node.Labels() ?? [])
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            labelMap[key] = text;
            labels[key] = text;
        }
        var spec = node["spec"] as JsonObject;
        var status = node["status"] as JsonObject;
        var images = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in (status?["images"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var size = ObjectFields.Long(image, "sizeBytes") ?? 0;
            foreach (var name in (image["names"] as JsonArray ?? []).OfType<JsonValue>())
            {
                if (name.TryGetValue<string>(out var n))
                    images[n] = size;
            }
        }
        return new SchedulingNode(node.Name() ?? "", labels, labelMap)
        {
            Unschedulable = spec?["unschedulable"] is JsonValue u && u.TryGetValue<bool>(out var b) && b,
            Taints = (spec?["taints"] as JsonArray ?? []).OfType<JsonObject>().Select(Taint.FromObject).ToArray(),
            Allocatable = ResourceList.FromObject(status?["allocatable"] ?? status?["capacity"]),
            Images = images,
        };
    }
}
