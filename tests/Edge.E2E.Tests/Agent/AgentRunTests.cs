using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>A real edge-server and a joined <c>edge-agent run</c> with its own containerd: Node status, Lease heartbeat, stop.</summary>
public sealed class AgentRunTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static HttpClient Admin(ServerProcess server) => server.CreateClient(X509Certificate2.CreateFromPemFile(
        Path.Combine(server.DataDir, "tls", "client-admin.crt"), Path.Combine(server.DataDir, "tls", "client-admin.key")));

    private static async Task<JsonObject?> GetAsync(ServerProcess server, string path)
    {
        using var admin = Admin(server);
        using var response = await admin.GetAsync(path);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static JsonNode? Condition(JsonObject? node, string type) =>
        node?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type);

    /// <summary>Polls until <paramref name="check"/> holds; fails with the last object seen and the agent's log.</summary>
    private static async Task<JsonObject> WaitForAsync(ServerProcess server, string path, Func<JsonObject, bool> check, TimeSpan timeout, StreamingProcess? agent)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(server, path);
            if (last is not null && check(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{path} did not get there in {timeout.TotalSeconds:0} s; last:\n{last?.ToJsonString()}\nagent stderr:\n{agent?.Errors}\nserver:\n{server.Output}");
    }

    [Fact]
    public async Task Run_ReportsAnHonestNodeAndHeartbeats_SigtermStopsIt_AndTheNodeTurnsUnknown()
    {
        // The grace period must outlast the 10 s Lease interval (upstream: 40 s against 10 s), or
        // a live node turns Unknown between two heartbeats and the Unknown below proves nothing.
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--node-monitor-grace-period", "15s", "--node-monitor-period", "1s");
        var token = (await Run.Async(Binaries.Server(), ["token", "--data-dir", server.DataDir])).Stdout.Trim();
        var dataDir = _temp["pi-1-agent"];
        var config = _temp["pi-1-agent.yaml"];
        var join = await Run.Async(Binaries.Agent(), [
            "join", $"https://127.0.0.1:{server.Port}", "--token", token, "--node-name", "pi-1", "--data-dir", dataDir, "--config", config]);
        Assert.True(join.ExitCode == 0, join.ToString());

        await using var agent = StreamingProcess.Start(Binaries.Agent(), ["run", "--config", config], new Dictionary<string, string?>());

        // Ready once containerd answers CRI and the pod network has its CIDR (CNI config written).
        var node = await WaitForAsync(server, "/api/v1/nodes/pi-1", n => (string?)Condition(n, "Ready")?["status"] == "True" && n["status"]?["capacity"] is not null, TimeSpan.FromSeconds(30), agent);
        var status = node["status"]!;
        // At start the agent packed the pause program it carries into its images dir.
        var pause = Edge.Agent.Runtime.Images.ImageArchive.Load(Path.Combine(dataDir, "images", "edge-pause.tar"));
        Assert.Equal("edge.local/pause:3.10", Assert.Single(pause.Images).Reference.ToString());
        foreach (var resource in new[] { "cpu", "memory", "pods", "ephemeral-storage" })
        {
            Assert.False(string.IsNullOrEmpty((string?)status["capacity"]![resource]), $"capacity.{resource} missing: {status.ToJsonString()}");
            Assert.False(string.IsNullOrEmpty((string?)status["allocatable"]![resource]), $"allocatable.{resource} missing: {status.ToJsonString()}");
        }

        Assert.Equal("110", (string?)status["capacity"]!["pods"]);
        Assert.EndsWith("Ki", (string?)status["capacity"]!["memory"]);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)status["capacity"]!["cpu"]);
        Assert.Equal("amd64", (string?)status["nodeInfo"]!["architecture"]);
        Assert.Equal("linux", (string?)status["nodeInfo"]!["operatingSystem"]);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), (string?)status["nodeInfo"]!["kernelVersion"]);
        Assert.StartsWith("v1.", (string?)status["nodeInfo"]!["kubeletVersion"]);
        var internalIp = status["addresses"]!.AsArray().FirstOrDefault(a => (string?)a!["type"] == "InternalIP");
        Assert.Equal("127.0.0.1", (string?)internalIp?["address"]);
        var ready = Condition(node, "Ready")!;
        Assert.Equal("KubeletReady", (string?)ready["reason"]);
        Assert.StartsWith("containerd://1.", (string?)status["nodeInfo"]!["containerRuntimeVersion"]);
        Assert.False(string.IsNullOrEmpty((string?)node["spec"]!["podCIDR"]));
        Assert.Equal("KubeletHasSufficientMemory", (string?)Condition(node, "MemoryPressure")?["reason"]);
        Assert.Equal("KubeletHasNoDiskPressure", (string?)Condition(node, "DiskPressure")?["reason"]);
        Assert.Equal("KubeletHasSufficientPID", (string?)Condition(node, "PIDPressure")?["reason"]);
        // Ready needs CRI's NetworkReady, which is what NetworkUnavailable reports.
        Assert.Equal("False", (string?)Condition(node, "NetworkUnavailable")?["status"]);
        Assert.Equal("PodNetworkIsUp", (string?)Condition(node, "NetworkUnavailable")?["reason"]);
        // The server's Date header is the source; both ends share this machine's clock.
        Assert.Equal("ClockInSync", (string?)Condition(node, "edge.io/ClockSkew")?["reason"]);

        const string leasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/pi-1";
        var lease = await WaitForAsync(server, leasePath, l => l["spec"]?["renewTime"] is not null, TimeSpan.FromSeconds(15), agent);
        Assert.Equal("pi-1", (string?)lease["spec"]!["holderIdentity"]);
        Assert.Equal(40, (int?)lease["spec"]!["leaseDurationSeconds"]);
        var owner = lease["metadata"]!["ownerReferences"]!.AsArray().Single()!;
        Assert.Equal("Node", (string?)owner["kind"]);
        Assert.Equal((string?)node["metadata"]!["uid"], (string?)owner["uid"]);
        var firstRenew = DateTimeOffset.Parse((string)lease["spec"]!["renewTime"]!, System.Globalization.CultureInfo.InvariantCulture);
        await WaitForAsync(
            server, leasePath,
            l => DateTimeOffset.Parse((string)l["spec"]!["renewTime"]!, System.Globalization.CultureInfo.InvariantCulture) > firstRenew,
            TimeSpan.FromSeconds(14), agent);

        // Past the first renewal and still within the grace period: the live node is not Unknown.
        Assert.Equal("True", (string?)Condition(await GetAsync(server, "/api/v1/nodes/pi-1"), "Ready")?["status"]);
        Assert.DoesNotContain("heartbeat failed", agent.Errors);
        // 5 s after start-up the agent handed back the file pages only start-up needed.
        Assert.Contains("released start-up pages: resident", agent.Errors);

        Posix.Kill(agent.Pid, Posix.SIGTERM);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("info: Edge.Agent.Run[0] stopped node pi-1", agent.Errors);

        await WaitForAsync(server, "/api/v1/nodes/pi-1", n => (string?)Condition(n, "Ready")?["status"] == "Unknown", TimeSpan.FromSeconds(25), agent);
        Assert.Contains("node.kubernetes.io/unreachable", (await GetAsync(server, "/api/v1/nodes/pi-1"))!["spec"]!.ToJsonString());

        // Started again, the agent reports over the controller's Unknown at once.
        await using var again = StreamingProcess.Start(Binaries.Agent(), ["run", "--config", config], new Dictionary<string, string?>());
        await WaitForAsync(server, "/api/v1/nodes/pi-1", n => (string?)Condition(n, "Ready")?["status"] == "True", TimeSpan.FromSeconds(30), again);
    }
}
