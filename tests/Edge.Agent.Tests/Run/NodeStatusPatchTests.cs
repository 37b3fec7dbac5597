using System.Text.Json.Nodes;
using Edge.Agent.Health;
using Edge.Agent.Run;
using Edge.Agent.Tests.Health;
using Edge.Native.HostInfo;

namespace Edge.Agent.Tests.Run;

public sealed class NodeStatusPatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 30, 15, TimeSpan.Zero);
    private static readonly HostFacts Facts = new(4, 3881024, 29_000_000, "6.6.31", "Debian GNU/Linux 12 (bookworm)", "mid", "bid");

    private static readonly RuntimeReadiness Down = new(false, "container runtime is down: connection refused", "");
    private static readonly RuntimeReadiness Up = new(true, "", "containerd://1.6.20") { NetworkReady = true };

    private static IReadOnlyList<ConditionState> States(RuntimeReadiness runtime, NodeSignals? signals = null) =>
        NodeStatusPatch.States(signals ?? NodeSignals.None, new HealthOptions(), runtime);

    private static JsonObject Build(IReadOnlyList<NodeCondition> conditions, string runtimeVersion = "") =>
        NodeStatusPatch.Build(Facts, "arm64", "v1.33.0+edge0.1.0", runtimeVersion, "192.168.1.20", "pi-1", conditions, Now);

    [Fact]
    public void Build_HasCapacityAllocatableNodeInfoAndAddresses()
    {
        var status = Build(NodeStatusPatch.Conditions(new Dictionary<string, NodeCondition>(), States(Up), Now), Up.RuntimeVersion)["status"]!;

        foreach (var list in new[] { "capacity", "allocatable" })
        {
            Assert.Equal("4", (string?)status[list]!["cpu"]);
            Assert.Equal("3881024Ki", (string?)status[list]!["memory"]);
            Assert.Equal("110", (string?)status[list]!["pods"]);
            Assert.Equal("29000000Ki", (string?)status[list]!["ephemeral-storage"]);
        }

        var info = status["nodeInfo"]!;
        Assert.Equal("arm64", (string?)info["architecture"]);
        Assert.Equal("linux", (string?)info["operatingSystem"]);
        Assert.Equal("6.6.31", (string?)info["kernelVersion"]);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", (string?)info["osImage"]);
        Assert.Equal("mid", (string?)info["machineID"]);
        Assert.Equal("bid", (string?)info["bootID"]);
        Assert.Equal("v1.33.0+edge0.1.0", (string?)info["kubeletVersion"]);
        Assert.Equal("containerd://1.6.20", (string?)info["containerRuntimeVersion"]);
        Assert.Equal(
            """[{"type":"InternalIP","address":"192.168.1.20"},{"type":"Hostname","address":"pi-1"}]""",
            status["addresses"]!.ToJsonString());
    }

    [Fact]
    public void Conditions_RuntimeDown_ReadyFalseWithItsMessage_PressuresFalseWithUpstreamReasons()
    {
        var conditions = Build(NodeStatusPatch.Conditions(new Dictionary<string, NodeCondition>(), States(Down), Now))["status"]!["conditions"]!.AsArray()
            .ToDictionary(c => (string)c!["type"]!, c => c!);

        Assert.Equal(["NetworkUnavailable", "MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], conditions.Keys);
        Assert.Equal("Unknown", (string?)conditions["NetworkUnavailable"]["status"]);
        Assert.Equal("ContainerRuntimeDown", (string?)conditions["NetworkUnavailable"]["reason"]);
        Assert.Equal("False", (string?)conditions["Ready"]["status"]);
        Assert.Equal("KubeletNotReady", (string?)conditions["Ready"]["reason"]);
        Assert.Equal("container runtime is down: connection refused", (string?)conditions["Ready"]["message"]);
        Assert.Equal("KubeletHasSufficientMemory", (string?)conditions["MemoryPressure"]["reason"]);
        Assert.Equal("KubeletHasNoDiskPressure", (string?)conditions["DiskPressure"]["reason"]);
        Assert.Equal("KubeletHasSufficientPID", (string?)conditions["PIDPressure"]["reason"]);
        Assert.All(conditions.Values, c =>
        {
            Assert.Equal("2026-11-23T09:30:15Z", (string?)c["lastHeartbeatTime"]);
            Assert.Equal("2026-11-23T09:30:15Z", (string?)c["lastTransitionTime"]);
        });
    }

    [Fact]
    public void States_NetworkUnavailable_FollowsCrisNetworkReady()
    {
        var noCni = new RuntimeReadiness(false, "container runtime not ready: NetworkReady=false", "containerd://1.6.20")
        {
            NetworkReady = false,
            NetworkMessage = "NetworkPluginNotReady: Network plugin returns error: cni plugin not initialized",
        };

        var up = States(Up).Single(s => s.Type == "NetworkUnavailable");
        var down = States(noCni).Single(s => s.Type == "NetworkUnavailable");

        Assert.Equal(("False", "PodNetworkIsUp"), (up.Status, up.Reason));
        Assert.Equal(("True", "PodNetworkNotReady"), (down.Status, down.Reason));
        Assert.Equal("NetworkPluginNotReady: Network plugin returns error: cni plugin not initialized", down.Message);
    }

    [Fact]
    public void Conditions_UnchangedStatus_KeepsTransitionTime_ChangedStatusTakesNow()
    {
        var previous = new Dictionary<string, NodeCondition>
        {
            ["MemoryPressure"] = new("MemoryPressure", "False", "KubeletHasSufficientMemory", "", "2026-11-01T00:00:00Z"),
            ["Ready"] = new("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", "2026-11-01T00:00:00Z"),
        };

        var conditions = NodeStatusPatch.Conditions(previous, States(Up), Now).ToDictionary(c => c.Type);

        Assert.Equal("2026-11-01T00:00:00Z", conditions["MemoryPressure"].LastTransitionTime);
        Assert.Equal("2026-11-23T09:30:15Z", conditions["Ready"].LastTransitionTime);
        Assert.Equal(("True", "KubeletReady"), (conditions["Ready"].Status, conditions["Ready"].Reason));
        Assert.Equal("2026-11-23T09:30:15Z", conditions["DiskPressure"].LastTransitionTime);
    }

    [Fact]
    public void States_Pi_EdgeConditionsAfterReady()
    {
        var states = States(Up, Fixtures.Signals(Fixtures.Pi, clock: new ServerClockSample(Now, Now, Now)));

        Assert.Equal(
            ["NetworkUnavailable", "MemoryPressure", "DiskPressure", "PIDPressure", "Ready", "edge.io/ThermalThrottling", "edge.io/UnderVoltage", "edge.io/ClockSkew"],
            states.Select(s => s.Type));
    }

    [Fact]
    public void States_OrdinaryMachine_NoEdgeConditionWithoutItsSource() =>
        Assert.Equal(["NetworkUnavailable", "MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], States(Up, Fixtures.Signals(Fixtures.Ordinary)).Select(s => s.Type));

    [Fact]
    public void Conditions_PressureTurnsTrue_TransitionTakesNow_MessageIsUpstreams()
    {
        var previous = new Dictionary<string, NodeCondition>
        {
            ["MemoryPressure"] = new("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", "2026-11-01T00:00:00Z"),
            ["PIDPressure"] = new("PIDPressure", "True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available", "2026-11-01T00:00:00Z"),
        };

        var conditions = NodeStatusPatch.Conditions(previous, States(Up, Fixtures.Signals(Fixtures.FullDisk)), Now).ToDictionary(c => c.Type);

        Assert.Equal(new NodeCondition("MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", "2026-11-23T09:30:15Z"), conditions["MemoryPressure"]);
        Assert.Equal("2026-11-01T00:00:00Z", conditions["PIDPressure"].LastTransitionTime);
    }

    [Fact]
    public void Flips_TrueFalseChangesAndNewTrouble_NotUnknownNorNewHealth()
    {
        var previous = new Dictionary<string, NodeCondition>
        {
            ["MemoryPressure"] = new("MemoryPressure", "False", "", "", "t"),
            ["DiskPressure"] = new("DiskPressure", "Unknown", "NodeStatusUnknown", "", "t"),
            ["PIDPressure"] = new("PIDPressure", "True", "", "", "t"),
        };

        var flips = NodeStatusPatch.Flips(previous, States(Down, Fixtures.Signals(Fixtures.FullDisk, Fixtures.NearlyFullDisk)));

        // MemoryPressure False→True; DiskPressure from Unknown is the server's mark; PIDPressure unchanged; Ready new and False.
        Assert.Equal(["MemoryPressure", "Ready"], flips.Select(f => f.Type));
    }

    [Fact]
    public void ConditionsOf_ReadsAServerNode()
    {
        var node = JsonNode.Parse("""{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady","message":"m","lastTransitionTime":"2026-11-01T00:00:00Z"}]}}""");

        var conditions = NodeStatusPatch.ConditionsOf(node);

        Assert.Equal(new NodeCondition("Ready", "False", "KubeletNotReady", "m", "2026-11-01T00:00:00Z"), conditions["Ready"]);
    }

    [Fact]
    public void Build_NoInternalIpYet_ReportsOnlyHostname()
    {
        var patch = NodeStatusPatch.Build(Facts, "amd64", "v", "", "", "host", [], Now);

        Assert.Equal("""[{"type":"Hostname","address":"host"}]""", patch["status"]!["addresses"]!.ToJsonString());
    }
}
