using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Selectors;

namespace Edge.Scheduler.Model;

public sealed class TopologySpreadConstraint
{
    public required int MaxSkew { get; init; }
    public required string TopologyKey { get; init; }
    /// <summary>True for <c>DoNotSchedule</c> (a filter), false for <c>ScheduleAnyway</c> (a score).</summary>
    public required bool Hard { get; init; }
    public required SelectorMatcher Selector { get; init; }
    /// <summary>0 when unset: every domain counts for the global minimum.</summary>
    public int MinDomains { get; init; }
    /// <summary><c>nodeAffinityPolicy</c>: Honor (default) counts only nodes matching the pod's node affinity and selector.</summary>
    public bool HonorNodeAffinity { get; init; } = true;
    /// <summary><c>nodeTaintsPolicy</c>: Honor counts only nodes whose taints the pod tolerates (default Ignore).</summary>
    public bool HonorNodeTaints { get; init; }

    public static TopologySpreadConstraint FromObject(JsonObject constraint, JsonObject? podLabels)
    {
        LabelSelector selector;
        try
        {
            var selectorObject = constraint["labelSelector"] as JsonObject;
            // matchLabelKeys: the pod's own values for those keys narrow the selector (upstream merges them in).
            if (constraint["matchLabelKeys"] is JsonArray { Count: > 0 } keys && selectorObject is not null)
            {
                selectorObject = (JsonObject)selectorObject.DeepClone();
                var expressions = selectorObject["matchExpressions"] as JsonArray ?? [];
                selectorObject["matchExpressions"] = expressions;
                foreach (var key in keys.Select(k => k?.GetValue<string>() ?? ""))
                {
                    if (podLabels is not null && ObjectFields.String(podLabels, key) is { } value)
                        expressions.Add((JsonNode)new JsonObject { ["key"] = key, ["operator"] = "In", ["values"] = new JsonArray(JsonValue.Create(value)) });
                }
            }
            selector = LabelSelector.FromObject(selectorObject);
        }
        catch (SelectorException)
        {
            selector = LabelSelector.Nothing;
        }
        return new TopologySpreadConstraint
        {
            MaxSkew = (int)Math.Max(1, ObjectFields.Long(constraint, "maxSkew") ?? 1),
            TopologyKey = ObjectFields.String(constraint, "topologyKey") ?? "",
            Hard = ObjectFields.String(constraint, "whenUnsatisfiable") != "ScheduleAnyway",
            Selector = new SelectorMatcher(selector),
            MinDomains = (int)(ObjectFields.Long(constraint, "minDomains") ?? 0),
            HonorNodeAffinity = ObjectFields.String(constraint, "nodeAffinityPolicy") != "Ignore",
            HonorNodeTaints = ObjectFields.String(constraint, "nodeTaintsPolicy") == "Honor",
        };
    }
}

/// <summary>A container port bound on the host: protocol, host IP (empty or 0.0.0.0 means every address) and port.</summary>
public readonly record struct HostPort(string Protocol, string Ip, int Port)
{
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == other.Ip || IsWildcard(Ip) || IsWildcard(other.Ip));

    static bool IsWildcard(string ip) => ip.Length == 0 || ip == "0.0.0.0";
}
