using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Native.HostInfo;

namespace Edge.Agent.Run;

/// <summary>A condition as the agent last reported it: the transition time survives an unchanged status.</summary>
public sealed record NodeCondition(string Type, string Status, string Reason, string Message, string LastTransitionTime);

/// <summary>
/// The merge patch for <c>nodes/&lt;name&gt;/status</c>. Ready follows the container runtime: True only
/// when CRI says both the runtime and the pod network are ready, since a Ready node draws pods.
/// </summary>
public static class NodeStatusPatch
{
    public const string NotReadyReason = "KubeletNotReady";
    public const string ReadyReason = "KubeletReady";
    public const string ReadyMessage = "kubelet is posting ready status";
    public const string MaxPods = "110";

    /// <summary>The conditions, keeping <paramref name="previous"/> transition times whose status did not change.</summary>
    public static IReadOnlyList<NodeCondition> Conditions(IReadOnlyDictionary<string, NodeCondition> previous, RuntimeReadiness runtime, DateTimeOffset now)
    {
        var stamp = Time(now);
        NodeCondition Make(string type, string status, string reason, string message) =>
            new(type, status, reason, message,
                previous.TryGetValue(type, out var before) && before.Status == status && before.LastTransitionTime.Length > 0 ? before.LastTransitionTime : stamp);

        return
        [
            Make("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            Make("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            Make("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            runtime.Ready ? Make("Ready", "True", ReadyReason, ReadyMessage) : Make("Ready", "False", NotReadyReason, runtime.Message),
        ];
    }

    /// <summary>The conditions as a Node object the server returned holds them.</summary>
    public static Dictionary<string, NodeCondition> ConditionsOf(JsonNode? node)
    {
        var result = new Dictionary<string, NodeCondition>();
        if (node?["status"]?["conditions"] is JsonArray conditions)
        {
            foreach (var c in conditions)
            {
                if (c?["type"]?.GetValue<string>() is { } type)
                {
                    result[type] = new NodeCondition(type, Text(c, "status"), Text(c, "reason"), Text(c, "message"), Text(c, "lastTransitionTime"));
                }
            }
        }

        return result;
    }

    public static JsonObject Build(HostFacts facts, string architecture, string kubeletVersion, string containerRuntimeVersion, string internalIp, string hostname, IReadOnlyList<NodeCondition> conditions, DateTimeOffset now)
    {
        JsonObject Resources() => new()
        {
            ["cpu"] = facts.Cpus.ToString(CultureInfo.InvariantCulture),
            ["memory"] = $"{facts.MemoryKi.ToString(CultureInfo.InvariantCulture)}Ki",
            ["pods"] = MaxPods,
            ["ephemeral-storage"] = $"{facts.EphemeralStorageKi.ToString(CultureInfo.InvariantCulture)}Ki",
        };

        var heartbeat = Time(now);
        var conditionArray = new JsonArray();
        foreach (var c in conditions)
        {
            conditionArray.Add((JsonNode)new JsonObject
            {
                ["type"] = c.Type,
                ["status"] = c.Status,
                ["reason"] = c.Reason,
                ["message"] = c.Message,
                ["lastHeartbeatTime"] = heartbeat,
                ["lastTransitionTime"] = c.LastTransitionTime,
            });
        }

        var addresses = new JsonArray();
        if (internalIp.Length > 0)
        {
            addresses.Add((JsonNode)new JsonObject { ["type"] = "InternalIP", ["address"] = internalIp });
        }

        addresses.Add((JsonNode)new JsonObject { ["type"] = "Hostname", ["address"] = hostname });

        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["capacity"] = Resources(),
                ["allocatable"] = Resources(),
                ["conditions"] = conditionArray,
                ["addresses"] = addresses,
                ["nodeInfo"] = new JsonObject
                {
                    ["machineID"] = facts.MachineId,
                    ["systemUUID"] = "",
                    ["bootID"] = facts.BootId,
                    ["kernelVersion"] = facts.KernelVersion,
                    ["osImage"] = facts.OsImage,
                    ["containerRuntimeVersion"] = containerRuntimeVersion,
                    ["kubeletVersion"] = kubeletVersion,
                    ["kubeProxyVersion"] = "",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = architecture,
                },
            },
        };
    }

    /// <summary>Kubernetes' RFC 3339 seconds time.</summary>
    public static string Time(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Text(JsonNode c, string key) => c[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
