using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.DaemonSets;

/// <summary>
/// Whether a daemon pod belongs on a node (upstream <c>NodeShouldRunDaemonPod</c>): the node
/// matches the template's nodeSelector and required node affinity, and the pod tolerates every
/// NoSchedule and NoExecute taint of the node. Daemon pods tolerate upstream's node-condition
/// taints on their own, so they run on nodes that are not ready, under pressure or cordoned.
/// </summary>
public static class NodeEligibility
{
    private static readonly (string Key, string Effect)[] DaemonTolerations =
    [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];

    /// <summary>A copy of the pod spec with the automatic daemon tolerations added (upstream <c>AddOrUpdateDaemonPodTolerations</c>).</summary>
    public static JsonObject WithDaemonTolerations(JsonObject? podSpec)
    {
        var spec = podSpec?.DeepClone() as JsonObject ?? [];
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var (key, effect) in DaemonTolerations)
        {
            if (!tolerations.OfType<JsonObject>().Any(t => ObjectFields.String(t, "key") == key && ObjectFields.String(t, "effect") == effect))
            {
                tolerations.Add((JsonNode)new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = effect });
            }
        }

        spec["tolerations"] = tolerations;
        return spec;
    }

    public static bool ShouldRun(JsonObject node, JsonObject podSpec) =>
        MatchesNodeSelector(node, podSpec) && MatchesRequiredAffinity(node, podSpec) && ToleratesTaints(node, podSpec);

    /// <summary>The node a daemon pod is for: its nodeName once bound, else the node its affinity pins it to.</summary>
    public static string? NodeOf(JsonObject pod) =>
        ObjectFields.String(pod["spec"], "nodeName") is { Length: > 0 } bound ? bound
            : (pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray ?? [])
                .SelectMany(t => t?["matchFields"] as JsonArray ?? [])
                .Where(f => ObjectFields.String(f, "key") == "metadata.name" && ObjectFields.String(f, "operator") == "In")
                .Select(f => f?["values"] is JsonArray { Count: 1 } values ? Text(values[0]) : null)
                .FirstOrDefault(n => n is not null);

    /// <summary>Pins the pod to <paramref name="node"/> the way upstream does, leaving binding to the scheduler (upstream <c>ReplaceDaemonSetPodNodeNameNodeAffinity</c>).</summary>
    public static void PinToNode(JsonObject podSpec, string node)
    {
        var affinity = podSpec["affinity"] as JsonObject ?? [];
        var nodeAffinity = affinity["nodeAffinity"] as JsonObject ?? [];
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
        {
            ["nodeSelectorTerms"] = new JsonArray(new JsonObject
            {
                ["matchFields"] = new JsonArray(new JsonObject
                {
                    ["key"] = "metadata.name",
                    ["operator"] = "In",
                    ["values"] = new JsonArray(JsonValue.Create(node)),
                }),
            }),
        };
        affinity["nodeAffinity"] = nodeAffinity;
        podSpec["affinity"] = affinity;
    }

    private static bool MatchesNodeSelector(JsonObject node, JsonObject podSpec) =>
        (podSpec["nodeSelector"] as JsonObject ?? []).All(p => ObjectFields.String(node.Labels(), p.Key) == Text(p.Value));

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Any one term must match; within a term every expression (on labels) and field (the node's name) must.</summary>
    private static bool MatchesRequiredAffinity(JsonObject node, JsonObject podSpec)
    {
        if (podSpec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"] is not JsonObject required)
        {
            return true;
        }

        return (required["nodeSelectorTerms"] as JsonArray ?? []).OfType<JsonObject>().Any(term =>
        {
            var expressions = (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var fields = (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            return expressions.Count + fields.Count > 0 &&
                expressions.All(e => Matches(e, ObjectFields.String(node.Labels(), ObjectFields.String(e, "key") ?? ""))) &&
                fields.All(f => ObjectFields.String(f, "key") == "metadata.name" && Matches(f, node.Name()));
        });
    }

    private static bool Matches(JsonObject requirement, string? value)
    {
        var values = (requirement["values"] as JsonArray ?? []).Select(Text).ToList();
        return ObjectFields.String(requirement, "operator") switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => Compare(value, values) is > 0,
            "Lt" => Compare(value, values) is < 0,
            _ => false,
        };
    }

    private static int? Compare(string? value, List<string?> values) =>
        values.Count == 1 && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) &&
        long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) ? v.CompareTo(limit) : null;

    private static bool ToleratesTaints(JsonObject node, JsonObject podSpec)
    {
        var tolerations = (podSpec["tolerations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => ObjectFields.String(t, "effect") is "NoSchedule" or "NoExecute")
            .All(taint => tolerations.Any(t => Tolerates(t, taint)));
    }

    /// <summary>Upstream <c>Toleration.ToleratesTaint</c>: an empty effect or key with Exists is a wildcard.</summary>
    private static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = ObjectFields.String(toleration, "effect");
        if (!string.IsNullOrEmpty(effect) && effect != ObjectFields.String(taint, "effect"))
        {
            return false;
        }

        var key = ObjectFields.String(toleration, "key");
        if (!string.IsNullOrEmpty(key) && key != ObjectFields.String(taint, "key"))
        {
            return false;
        }

        return ObjectFields.String(toleration, "operator") switch
        {
            "Exists" => true,
            null or "" or "Equal" => !string.IsNullOrEmpty(key) &&
                (ObjectFields.String(toleration, "value") ?? "") == (ObjectFields.String(taint, "value") ?? ""),
            _ => false,
        };
    }
}
