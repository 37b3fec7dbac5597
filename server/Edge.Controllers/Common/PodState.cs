using System.Text.Json.Nodes;
using Edge.Api.Objects;

namespace Edge.Controllers.Common;

/// <summary>What controllers read from a pod's status (upstream <c>podutil</c>).</summary>
public static class PodState
{
    public static string? Phase(JsonObject pod) => ObjectFields.String(pod["status"], "phase");

    /// <summary>Counts toward a workload: not finished and not being deleted.</summary>
    public static bool IsActive(JsonObject pod) =>
        Phase(pod) is not ("Succeeded" or "Failed") && pod.DeletionTimestamp() is null;

    public static bool IsTerminal(JsonObject pod) => Phase(pod) is "Succeeded" or "Failed";

    public static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => ObjectFields.String(c, "type") == type);

    public static bool IsReady(JsonObject pod) =>
        Condition(pod, "Ready") is { } ready && ObjectFields.String(ready, "status") == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/>.</summary>
    public static bool IsAvailable(JsonObject pod, long minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }

        if (minReadySeconds <= 0)
        {
            return true;
        }

        var since = ObjectFields.ParseTimestamp(ObjectFields.String(Condition(pod, "Ready"), "lastTransitionTime"));
        return since is { } t && t.AddSeconds(minReadySeconds) <= now;
    }

    public static string? NodeName(JsonObject pod) => ObjectFields.String(pod["spec"], "nodeName");

    public static int Restarts(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>()
            .Sum(s => (int)(ObjectFields.Long(s, "restartCount") ?? 0));

    /// <summary>
    /// The order in which a scaled-down workload gives up pods, first to last (upstream
    /// <c>ActivePods</c>): unscheduled before scheduled, pending before running, not ready before
    /// ready, ready for less time first, more restarts first, newer first.
    /// </summary>
    public static int CompareForDeletion(JsonObject a, JsonObject b)
    {
        int c;
        if ((c = (NodeName(b) is { Length: > 0 }).CompareTo(NodeName(a) is { Length: > 0 })) != 0)
        {
            return c;
        }

        if ((c = PhaseRank(a).CompareTo(PhaseRank(b))) != 0)
        {
            return c;
        }

        if ((c = IsReady(a).CompareTo(IsReady(b))) != 0)
        {
            return c;
        }

        if (IsReady(a) && IsReady(b))
        {
            var readyA = ObjectFields.String(Condition(a, "Ready"), "lastTransitionTime") ?? "";
            var readyB = ObjectFields.String(Condition(b, "Ready"), "lastTransitionTime") ?? "";
            if ((c = string.CompareOrdinal(readyB, readyA)) != 0)
            {
                return c;
            }
        }

        if ((c = Restarts(b).CompareTo(Restarts(a))) != 0)
        {
            return c;
        }

        var createdA = ObjectFields.String(a["metadata"], "creationTimestamp") ?? "";
        var createdB = ObjectFields.String(b["metadata"], "creationTimestamp") ?? "";
        return string.CompareOrdinal(createdB, createdA);
    }

    private static int PhaseRank(JsonObject pod) => Phase(pod) switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };
}
