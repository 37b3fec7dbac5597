using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Pods;

public sealed partial class PodWorker
{
    /// <summary>Builds the pod's status from what the runtime shows and sends it when it changed.</summary>
    private async Task ReportAsync(PodView pod, RuntimePod runtime, CancellationToken stop)
    {
        var status = BuildStatus(pod, runtime);
        var text = status.ToJsonString();
        if (text == _lastReported)
        {
            return;
        }

        _lastReported = text;
        await _context.Status.ReportAsync(new PodStatusUpdate(pod.Namespace, pod.Name, pod.Uid, status), stop);
    }

    internal JsonObject BuildStatus(PodView pod, RuntimePod runtime)
    {
        var previous = pod.Object["status"] as JsonObject;
        var sandbox = runtime.Latest;
        var sandboxId = sandbox?.State == PodSandboxState.SandboxReady ? sandbox.Id : _sandboxId;
        var inits = pod.InitContainers.Select(c => (Spec: c, Latest: sandboxId is null ? null : runtime.LatestOf(c.Name, sandboxId))).ToArray();
        var apps = pod.Containers.Select(c => (Spec: c, Latest: sandboxId is null ? null : runtime.LatestOf(c.Name, sandboxId))).ToArray();
        var initDone = inits.All(i => i.Latest is { State: ContainerState.ContainerExited, Status.ExitCode: 0 });
        var initFailed = pod.RestartPolicy == "Never" && inits.Any(i => i.Latest is { State: ContainerState.ContainerExited } l && l.Status.ExitCode != 0);
        var phase = _evicted is not null && _terminal ? "Failed" : Phase(pod, apps.Select(a => a.Latest).ToArray(), initDone, initFailed);
        var now = Timestamp(_context.Time.GetUtcNow());

        var status = new JsonObject { ["phase"] = phase };
        var conditions = new List<JsonNode>();
        var sandboxReady = sandbox?.State == PodSandboxState.SandboxReady && !string.IsNullOrEmpty(_sandboxIp);
        conditions.Add(Condition(previous, "PodReadyToStartContainers", sandboxReady, null, null, now));
        var incompleteInit = inits.Where(i => i.Latest is not { State: ContainerState.ContainerExited, Status.ExitCode: 0 }).Select(i => i.Spec.Name).ToArray();
        conditions.Add(initDone
            ? Condition(previous, "Initialized", true, null, null, now)
            : Condition(previous, "Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incompleteInit)}]", now));
        var terminal = phase is "Succeeded" or "Failed";
        var unready = apps.Where(a => !IsReady(a.Spec, a.Latest)).Select(a => a.Spec.Name).ToArray();
        var (readyReason, readyMessage) = terminal ? ("PodCompleted", (string?)null)
            : unready.Length > 0 ? ("ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]") : (null, null);
        var ready = !terminal && unready.Length == 0;
        conditions.Add(Condition(previous, "ContainersReady", ready, readyReason, readyMessage, now));
        conditions.Add(Condition(previous, "Ready", ready, readyReason, readyMessage, now));
        if ((previous?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => PodView.Text(c, "type") == "PodScheduled") is { } scheduled)
        {
            conditions.Add(scheduled.DeepClone());
        }

        status["conditions"] = new JsonArray(conditions.ToArray());
        var node = _context.Node;
        if (!string.IsNullOrEmpty(node.HostIp))
        {
            status["hostIP"] = node.HostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = node.HostIp });
        }

        if (!string.IsNullOrEmpty(_sandboxIp))
        {
            status["podIP"] = _sandboxIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = _sandboxIp });
        }

        status["startTime"] = Timestamp(_startTime ?? _context.Time.GetUtcNow());
        status["qosClass"] = pod.QosClass;
        if (inits.Length > 0)
        {
            status["initContainerStatuses"] = new JsonArray(inits.Select(i => (JsonNode)ContainerStatusOf(pod, runtime, i.Spec, i.Latest, isInit: true, initDone)).ToArray());
        }

        status["containerStatuses"] = new JsonArray(apps.Select(a => (JsonNode)ContainerStatusOf(pod, runtime, a.Spec, a.Latest, isInit: false, initDone)).ToArray());
        if (_podProblem is { } problem && phase == "Pending" && problem.Reason == "FailedMount")
        {
            status["message"] = problem.Message;
        }

        if (_evicted is not null && _terminal)
        {
            status["reason"] = "Evicted";
            status["message"] = _evicted;
        }

        return status;
    }

    /// <summary>kubelet's getPhase: init first, then waiting/running/stopped counts; a deleted pod ends Succeeded or Failed.</summary>
    private string Phase(PodView pod, IReadOnlyList<RuntimeContainer?> apps, bool initDone, bool initFailed)
    {
        if (initFailed)
        {
            return "Failed";
        }

        if (!initDone)
        {
            return "Pending";
        }

        int waiting = 0, running = 0, stopped = 0, failed = 0;
        foreach (var container in apps)
        {
            switch (container?.State)
            {
                case ContainerState.ContainerRunning:
                    running++;
                    break;
                case ContainerState.ContainerExited:
                    stopped++;
                    failed += container.Status.ExitCode != 0 ? 1 : 0;
                    break;
                default:
                    waiting++;
                    break;
            }
        }

        if (_terminal && running == 0 && waiting == 0)
        {
            return failed > 0 ? "Failed" : "Succeeded";
        }

        if (waiting > 0 && running == 0 && stopped == 0)
        {
            return "Pending";
        }

        if (running > 0 || waiting > 0)
        {
            return "Running";
        }

        return pod.RestartPolicy switch
        {
            "Always" => "Running",
            "OnFailure" => failed == 0 ? "Succeeded" : "Running",
            _ => failed > 0 ? "Failed" : "Succeeded",
        };
    }

    private JsonObject ContainerStatusOf(PodView pod, RuntimePod runtime, ContainerView spec, RuntimeContainer? latest, bool isInit, bool initDone)
    {
        var status = new JsonObject { ["name"] = spec.Name };
        JsonObject state;
        JsonObject? last = null;
        if (latest is null || latest.State == ContainerState.ContainerCreated)
        {
            var (reason, message) = _waiting.TryGetValue(spec.Name, out var w) ? w
                : (!isInit && !initDone) ? ("PodInitializing", null)
                : _podProblem is { } problem && problem.Reason != "FailedMount" ? (problem.Reason, problem.Message)
                : ("ContainerCreating", (string?)null);
            state = Waiting(reason, message);
        }
        else if (latest.State == ContainerState.ContainerRunning)
        {
            state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(latest.StartedAt) } };
        }
        else if (_waiting.TryGetValue(spec.Name, out var waiting) && waiting.Reason == "CrashLoopBackOff" && ShouldRestart(pod, latest) && !_terminal)
        {
            state = Waiting(waiting.Reason, waiting.Message);
            last = Terminated(latest);
        }
        else
        {
            state = Terminated(latest);
        }

        if (last is null && latest is not null && runtime.PreviousOf(latest) is { State: ContainerState.ContainerExited } previous)
        {
            last = Terminated(previous);
        }

        status["state"] = state;
        status["lastState"] = last ?? new JsonObject();
        status["ready"] = !isInit ? IsReady(spec, latest) : latest is { State: ContainerState.ContainerExited, Status.ExitCode: 0 };
        status["restartCount"] = (int)(latest?.Attempt ?? 0);
        status["image"] = spec.Image;
        status["imageID"] = latest?.Status.ImageRef is { Length: > 0 } imageRef ? imageRef : "";
        if (latest is not null)
        {
            status["containerID"] = "containerd://" + latest.Id;
        }

        status["started"] = IsStarted(spec, latest);
        return status;
    }

    private static JsonObject Waiting(string reason, string? message)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (!string.IsNullOrEmpty(message))
        {
            waiting["message"] = message;
        }

        return new JsonObject { ["waiting"] = waiting };
    }

    private static JsonObject Terminated(RuntimeContainer container)
    {
        var status = container.Status;
        var reason = status.Reason is { Length: > 0 } r ? r : status.ExitCode == 0 ? "Completed" : "Error";
        var terminated = new JsonObject
        {
            ["exitCode"] = status.ExitCode,
            ["reason"] = reason,
            ["containerID"] = "containerd://" + container.Id,
        };
        if (status.StartedAt > 0)
        {
            terminated["startedAt"] = Timestamp(container.StartedAt);
        }

        if (status.FinishedAt > 0)
        {
            terminated["finishedAt"] = Timestamp(container.FinishedAt);
        }

        if (!string.IsNullOrEmpty(status.Message))
        {
            terminated["message"] = status.Message;
        }

        return new JsonObject { ["terminated"] = terminated };
    }

    /// <summary>A condition, keeping its previous transition time while its status stays the same.</summary>
    private static JsonObject Condition(JsonObject? previous, string type, bool value, string? reason, string? message, string now)
    {
        var text = value ? "True" : "False";
        var before = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => PodView.Text(c, "type") == type);
        var since = before is not null && PodView.Text(before, "status") == text ? PodView.Text(before, "lastTransitionTime") ?? now : now;
        var condition = new JsonObject { ["type"] = type, ["status"] = text, ["lastProbeTime"] = null, ["lastTransitionTime"] = since };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    internal static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
