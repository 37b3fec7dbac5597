using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Agent.Health;
using Edge.Native.HostInfo;

namespace Edge.Agent.Run;

/// <summary>A condition as the agent last reported it: the transition time survives an unchanged status.</summary>
public sealed record NodeCondition(string Type, string Status, string Reason, string Message, string LastTransitionTime);

/// <summary>
/// The merge patch for <c>nodes/&lt;name&gt;/status</c>. Ready follows the container runtime: True only
/// when CRI says both the runtime and the pod network are ready, since a Ready node draws pods. The
/// other conditions come from <see cref="ConditionSetters"/> over what the device measured.
/// </summary>
public static class NodeStatusPatch
{
    public const string NotReadyReason = "KubeletNotReady";
    public const string ReadyReason = "KubeletReady";
    public const string ReadyMessage = "kubelet is posting ready status";
    public const string MaxPods = "110";

    /// <summary>
    /// What each condition is now: the pressure setters, Ready from the runtime, then the edge
    /// setters whose source the device has.
    /// </summary>
    public static IReadOnlyList<ConditionState> States(NodeSignals signals, HealthOptions options, RuntimeReadiness runtime)
    {
        var states = new List<ConditionState> { NetworkUnavailable(runtime) };
        states.AddRange(ConditionSetters.Pressure.Select(s => s(signals, options)).OfType<ConditionState>());
        states.Add(runtime.Ready
            ? new ConditionState("Ready", "True", ReadyReason, ReadyMessage, "container runtime and pod network ready")
            : new ConditionState("Ready", "False", NotReadyReason, runtime.Message, runtime.Message));
        states.AddRange(ConditionSetters.Edge.Select(s => s(signals, options)).OfType<ConditionState>());
        return states;
    }

    /// <summary>
    /// NetworkUnavailable, which upstream the network plugin sets (k3s's flannel: False, "FlannelIsUp"):
    /// here the agent configures the pod network itself, so it reports what CRI says of it — False
    /// once containerd has loaded the CNI configuration written for the node's pod CIDR.
    /// </summary>
    private static ConditionState NetworkUnavailable(RuntimeReadiness runtime) => runtime.NetworkReady switch
    {
        true => new ConditionState("NetworkUnavailable", "False", "PodNetworkIsUp", "the pod network (CNI bridge) is configured on this node", "CRI NetworkReady=true"),
        false => new ConditionState("NetworkUnavailable", "True", "PodNetworkNotReady", runtime.NetworkMessage, runtime.NetworkMessage),
        null => new ConditionState("NetworkUnavailable", "Unknown", "ContainerRuntimeDown", runtime.Message, runtime.Message),
    };

    /// <summary>The conditions, keeping <paramref name="previous"/> transition times whose status did not change.</summary>
    public static IReadOnlyList<NodeCondition> Conditions(IReadOnlyDictionary<string, NodeCondition> previous, IReadOnlyList<ConditionState> states, DateTimeOffset now)
    {
        var stamp = Time(now);
        return states
            .Select(s => new NodeCondition(
                s.Type, s.Status, s.Reason, s.Message,
                previous.TryGetValue(s.Type, out var before) && before.Status == s.Status && before.LastTransitionTime.Length > 0 ? before.LastTransitionTime : stamp))
            .ToList();
    }

    /// <summary>
    /// The conditions whose status flipped between True and False since <paramref name="previous"/>,
    /// and new ones that arrive in trouble; Unknown (the server's mark for a silent node) is no flip
    /// of the device's state and is left to the "changed on the server" line.
    /// </summary>
    public static IEnumerable<ConditionState> Flips(IReadOnlyDictionary<string, NodeCondition> previous, IReadOnlyList<ConditionState> states) =>
        states.Where(s => previous.TryGetValue(s.Type, out var before)
            ? before.Status is "True" or "False" && before.Status != s.Status
            : s.Status == (s.Type == "Ready" ? "False" : "True"));

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
