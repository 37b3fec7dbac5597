using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>
/// Static pods with the published binaries: a manifest dropped into the agent's
/// <c>--pod-manifest-path</c> runs on its containerd and shows in the API as a mirror pod that
/// follows the file; without a server the agent still starts it.
/// </summary>
public sealed class StaticPodTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Manifest(string name, string message) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          labels: {app: static}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: {{TestImages.BusyboxReference}}
            command: ["sh", "-c", "echo {{message}}; exec sleep 3600"]
        """;

    [Theory]
    [InlineData("1.33")]
    public async Task Manifest_RunsWithAMirrorPod_ThatFollowsTheFile_AndRunsWithoutTheServer(string version)
    {
        var manifests = Directory.CreateDirectory(_temp["manifests"]).FullName;
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", $"10.{100 + Random.Shared.Next(100)}.0.0/16");
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-s", "--pod-manifest-path", manifests);
        var kubectl = new Kubectl(version, _temp["kube-cache"]);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "node", "edge-s", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], o => o == "True");

        // Dropped in: runs, and its mirror shows the container running.
        var file = Path.Combine(manifests, "web.yaml");
        File.WriteAllText(file, Manifest("web", "one"));
        var first = await WaitForMirrorAsync(kubectl, server, node, m => Running(m) is not null);
        Assert.Equal("file", (string?)first["metadata"]!["annotations"]!["kubernetes.io/config.source"]);
        Assert.Equal("Node", (string?)first["metadata"]!["ownerReferences"]![0]!["kind"]);
        Assert.Equal("edge-s", (string?)first["spec"]!["nodeName"]);
        Assert.Null(first["spec"]!["serviceAccountName"]);
        var container = Running(first)!;

        // The mirror deleted: a new mirror, the same container.
        var delete = await kubectl.RunAsync(server.Kubeconfig, "delete", "pod", "web-edge-s", "--wait=false");
        Assert.True(delete.ExitCode == 0, $"{delete}\nagent:\n{node.Process.Errors}");
        var recreated = await WaitForMirrorAsync(kubectl, server, node, m => Uid(m) != Uid(first) && Running(m) is not null);
        Assert.Equal(container, Running(recreated));
        Assert.Equal(0, (int)recreated["status"]!["containerStatuses"]![0]!["restartCount"]!);

        // The file edited: another static pod (new hash), a new container, a new mirror.
        File.WriteAllText(file, Manifest("web", "two"));
        var edited = await WaitForMirrorAsync(kubectl, server, node, m => Hash(m) != Hash(first) && Running(m) is { } c && c != container);
        Assert.NotEqual(Uid(recreated), Uid(edited));

        // The file removed: the pod stops, the mirror goes.
        File.Delete(file);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pods", "-o", "name"], o => o.Trim().Length == 0);
        Assert.Empty(await node.WaitForRuntimeContainersAsync(n => n == 0));

        // No server, and the agent restarted without one: a new manifest still runs (sandbox + container).
        Assert.Equal(0, await server.StopAsync());
        await node.StopAsync();
        File.WriteAllText(Path.Combine(manifests, "offline.yml"), Manifest("offline", "alone"));
        node.Start();
        var running = await node.WaitForRuntimeContainersAsync(n => n == 2);
        Assert.True(running.Length == 2, $"runtime holds {running.Length} containers\nagent:\n{node.Process.Errors}");
    }

    private static string? Uid(JsonNode pod) => (string?)pod["metadata"]!["uid"];

    private static string? Hash(JsonNode pod) => (string?)pod["metadata"]!["annotations"]!["kubernetes.io/config.mirror"];

    /// <summary>The container ID when the mirror reports its container running.</summary>
    private static string? Running(JsonNode pod) =>
        pod["status"]?["containerStatuses"]?[0] is { } status && status["state"]?["running"] is not null ? (string?)status["containerID"] : null;

    private static async Task<JsonNode> WaitForMirrorAsync(Kubectl kubectl, ServerProcess server, AgentNode node, Func<JsonNode, bool> check)
    {
        JsonNode? pod = null;
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "web-edge-s", "-o", "json"], o =>
        {
            pod = JsonNode.Parse(o);
            return pod is not null && pod["metadata"]?["deletionTimestamp"] is null && check(pod);
        });
        return pod!;
    }
}
