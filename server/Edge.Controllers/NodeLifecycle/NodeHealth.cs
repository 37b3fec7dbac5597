using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.NodeLifecycle;

/// <summary>The facts about a node's health the lifecycle loops decide on.</summary>
public static class NodeHealth
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";

    /// <summary>Nodes with this label keep their pods through an outage (offline autonomy): no NoExecute taint, no eviction.</summary>
    public const string AutonomyLabel = "edge.io/autonomy";

    public static bool HasAutonomy(JsonObject node) => ObjectFields.String(node.Labels(), AutonomyLabel) == "true";

    public static JsonObject? Condition(JsonObject node, string type) =>
        (node["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => ObjectFields.String(c, "type") == type);

    public static IEnumerable<JsonObject> Taints(JsonObject node) => (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>Whether the tolerations of a pod tolerate a taint (upstream <c>ToleratesTaint</c>).</summary>
    public static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = ObjectFields.String(toleration, "effect") ?? "";
        if (effect.Length > 0 && effect != ObjectFields.String(taint, "effect"))
        {
            return false;
        }

        var key = ObjectFields.String(toleration, "key") ?? "";
        if (key.Length > 0 && key != ObjectFields.String(taint, "key"))
        {
            return false;
        }

        return (ObjectFields.String(toleration, "operator") ?? "Equal") switch
        {
            "Exists" => true,
            "Equal" or "" => (ObjectFields.String(toleration, "value") ?? "") == (ObjectFields.String(taint, "value") ?? ""),
            _ => false,
        };
    }
}
