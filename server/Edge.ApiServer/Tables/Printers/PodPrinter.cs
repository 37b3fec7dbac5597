using System.Text.Json.Nodes;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>
/// <c>kubectl get pods</c>: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES.
/// STATUS follows upstream <c>printPod</c> step for step, because users diagnose from it:
/// the first unfinished init container wins (<c>Init:1/2</c>, <c>Init:CrashLoopBackOff</c>),
/// then the first app container with a waiting/terminated reason, then deletion.
/// </summary>
static class PodPrinter
{
    public static readonly TablePrinter Printer = new(
    [
        Columns.Name,
        Columns.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        Columns.Text("Status", "The aggregate status of the containers in this pod."),
        Columns.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        Columns.Age,
        Columns.Text("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
        Columns.Text("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.", 1),
        Columns.Text("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
        Columns.Text("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
    ], Cells)
    {
        Conditions = RowConditions,
    };

    /// <summary>Node controller's reason for pods on an unreachable node.</summary>
    const string NodeLost = "NodeLost";

    static JsonNode?[] Cells(JsonObject pod, DateTimeOffset now)
    {
        var spec = At(pod, "spec");
        var status = At(pod, "status");
        var phase = Str(status, "phase");
        var statusReason = Str(status, "reason");
        var reason = statusReason.Length > 0 ? statusReason : phase;

        foreach (var condition in Objects(status, "conditions"))
        {
            if (Str(condition, "type") == "PodScheduled" && Str(condition, "reason") == "SchedulingGated")
                reason = "SchedulingGated";
        }

        var initSpecs = Objects(spec, "initContainers").ToList();
        var restartable = initSpecs
            .Where(c => Str(c, "restartPolicy") == "Always")
            .Select(c => Str(c, "name"))
            .ToHashSet(StringComparer.Ordinal);
        var totalContainers = Count(spec, "containers") + restartable.Count;
        var readyContainers = 0;
        var restarts = 0L;
        var sidecarRestarts = 0L;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastSidecarRestart = null;

        var initializing = false;
        var index = 0;
        foreach (var container in Objects(status, "initContainerStatuses"))
        {
            var i = index++;
            var isSidecar = restartable.Contains(Str(container, "name"));
            restarts += Int(container, "restartCount");
            var finished = LastFinished(container);
            lastRestart = Later(lastRestart, finished);
            if (isSidecar)
            {
                sidecarRestarts += Int(container, "restartCount");
                lastSidecarRestart = Later(lastSidecarRestart, finished);
            }

            var terminated = At(container, "state", "terminated") as JsonObject;
            var waitingReason = Str(container, "state", "waiting", "reason");
            if (terminated is not null && Int(terminated, "exitCode") == 0)
                continue;
            if (isSidecar && Bool(container, "started"))
            {
                if (Bool(container, "ready"))
                    readyContainers++;
                continue;
            }
            if (terminated is not null)
            {
                // Initialization failed.
                var terminatedReason = Str(terminated, "reason");
                reason = terminatedReason.Length > 0
                    ? "Init:" + terminatedReason
                    : Int(terminated, "signal") != 0
                        ? $"Init:Signal:{Int(terminated, "signal")}"
                        : $"Init:ExitCode:{Int(terminated, "exitCode")}";
            }
            else if (waitingReason.Length > 0 && waitingReason != "PodInitializing")
                reason = "Init:" + waitingReason;
            else
                reason = $"Init:{i}/{initSpecs.Count}";
            initializing = true;
            break;
        }

        if (!initializing || HasCondition(status, "Initialized"))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = Objects(status, "containerStatuses").ToList();
            // Walk backwards so the first container's reason is the one that stays.
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += Int(container, "restartCount");
                lastRestart = Later(lastRestart, LastFinished(container));
                var waitingReason = Str(container, "state", "waiting", "reason");
                var terminated = At(container, "state", "terminated") as JsonObject;
                if (waitingReason.Length > 0)
                    reason = waitingReason;
                else if (terminated is not null && Str(terminated, "reason").Length > 0)
                    reason = Str(terminated, "reason");
                else if (terminated is not null)
                    reason = Int(terminated, "signal") != 0
                        ? $"Signal:{Int(terminated, "signal")}"
                        : $"ExitCode:{Int(terminated, "exitCode")}";
                else if (Bool(container, "ready") && At(container, "state", "running") is JsonObject)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            // A pod whose other containers still run is not "Completed" yet.
            if (reason == "Completed" && hasRunning)
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
        }

        var deleting = StrOrNull(pod, "metadata", "deletionTimestamp") is not null;
        if (deleting && statusReason == NodeLost)
            reason = "Unknown";
        else if (deleting && phase is not ("Succeeded" or "Failed"))
            reason = "Terminating";

        var restartsText = restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (restarts != 0 && lastRestart is { } last)
            restartsText = $"{restarts} ({HumanDuration.Format(now - last)} ago)";

        var podIP = Objects(status, "podIPs").Select(ip => Str(ip, "ip")).FirstOrDefault() ?? "";
        return
        [
            Name(pod),
            $"{readyContainers}/{totalContainers}",
            reason,
            restartsText,
            Age(pod, now),
            OrNone(podIP),
            OrNone(Str(spec, "nodeName")),
            OrNone(Str(status, "nominatedNodeName")),
            ReadinessGates(spec, status),
        ];
    }

    static string ReadinessGates(JsonNode? spec, JsonNode? status)
    {
        var gates = Objects(spec, "readinessGates").ToList();
        if (gates.Count == 0)
            return "<none>";
        var conditions = Objects(status, "conditions").ToList();
        var satisfied = gates.Count(gate =>
            conditions.FirstOrDefault(c => Str(c, "type") == Str(gate, "conditionType")) is { } c
            && Str(c, "status") == "True");
        return $"{satisfied}/{gates.Count}";
    }

    static JsonNode?[]? RowConditions(JsonObject pod) => Str(pod, "status", "phase") switch
    {
        "Succeeded" => [Completed("Succeeded", "The pod has completed successfully.")],
        "Failed" => [Completed("Failed", "The pod failed.")],
        _ => null,
    };

    static JsonObject Completed(string reason, string message) => new()
    {
        ["type"] = "Completed",
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };

    static bool HasCondition(JsonNode? status, string type) =>
        Objects(status, "conditions").Any(c => Str(c, "type") == type && Str(c, "status") == "True");

    static DateTimeOffset? LastFinished(JsonNode container) =>
        HumanDuration.TryParse(StrOrNull(container, "lastState", "terminated", "finishedAt"), out var t) ? t : null;

    static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    static string OrNone(string value) => value.Length == 0 ? "<none>" : value;
}
