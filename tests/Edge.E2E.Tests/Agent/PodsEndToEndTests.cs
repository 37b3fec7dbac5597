using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>
/// The whole path a user takes: edge-server and a joined edge-agent as real processes, real
/// containerd + runc + CNI, the busybox image offered through the agent's images dir (no registry),
/// and kubectl as the client.
/// </summary>
public sealed class PodsEndToEndTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A cluster CIDR of its own, so pod routes of tests running side by side never overlap.</summary>
    private static string UniqueClusterCidr() => $"10.{100 + Random.Shared.Next(100)}.0.0/16";

    [Theory]
    [InlineData("1.33")]
    public async Task Deployment_RunsOnTheAgent_AnswersHttp_AndDeletingItLeavesNothing(string version)
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", UniqueClusterCidr());
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-a");
        var kubectl = new Kubectl(version, _temp["kube-cache"]);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "node", "edge-a", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], o => o == "True");

        var manifest = _temp["web.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  terminationGracePeriodSeconds: 3
                  containers:
                  - name: httpd
                    image: {{TestImages.BusyboxReference}}
                    command: ["sh", "-c", "hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    ports:
                    - containerPort: 8080
                    readinessProbe:
                      httpGet: {path: /, port: 8080}
                      periodSeconds: 1
            """);
        var apply = await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var rollout = await kubectl.RunAsync(server.Kubeconfig, "rollout", "status", "deployment/web", "--timeout=90s");
        Assert.True(rollout.ExitCode == 0, $"{rollout}\nagent:\n{node.Process.Errors}");

        var pods = JsonNode.Parse((await kubectl.RunAsync(server.Kubeconfig, "get", "pods", "-l", "app=web", "-o", "json")).Stdout)!["items"]!.AsArray();
        Assert.Equal(2, pods.Count);
        var podCidr = (string)JsonNode.Parse((await kubectl.RunAsync(server.Kubeconfig, "get", "node", "edge-a", "-o", "json")).Stdout)!["spec"]!["podCIDR"]!;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var pod in pods)
        {
            Assert.Equal("Running", (string?)pod!["status"]!["phase"]);
            var ip = (string)pod["status"]!["podIP"]!;
            Assert.True(System.Net.IPNetwork.Parse(podCidr).Contains(System.Net.IPAddress.Parse(ip)), $"pod IP {ip} outside the node's {podCidr}");
            Assert.Equal((string)pod["metadata"]!["name"]! + "\n", await http.GetStringAsync($"http://{ip}:8080/"));
            Assert.StartsWith("containerd://", (string?)pod["status"]!["containerStatuses"]![0]!["containerID"]);
        }

        var wide = await kubectl.RunAsync(server.Kubeconfig, "get", "pods", "-o", "wide");
        Assert.Contains("edge-a", wide.Stdout);
        Assert.Contains("1/1", wide.Stdout);
        var describe = await kubectl.RunAsync(server.Kubeconfig, "describe", "pod", (string)pods[0]!["metadata"]!["name"]!);
        Assert.Contains("Started", describe.Stdout);

        var delete = await kubectl.RunAsync(server.Kubeconfig, "delete", "deployment", "web", "--wait");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pods", "-l", "app=web", "-o", "name"], o => o.Trim().Length == 0);
        var left = await node.WaitForRuntimeContainersAsync(count => count == 0);
        Assert.Empty(left);
        var podDirs = Path.Combine(node.DataDir, "pods");
        Assert.Empty(Directory.Exists(podDirs) ? Directory.EnumerateDirectories(podDirs) : []);
        Assert.Empty(Directory.Exists(node.PodLogDir) ? Directory.EnumerateDirectories(node.PodLogDir) : []);
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(node.DataDir, StringComparison.Ordinal));
        foreach (var pod in pods)
        {
            var cgroup = $"/sys/fs/cgroup/memory/edge/besteffort/pod{(string)pod!["metadata"]!["uid"]!}";
            Assert.False(Directory.Exists(cgroup), $"{cgroup} left behind");
        }
    }

    [Fact]
    public async Task FailingPods_ShowUpstreamReasonsAndEvents_InKubectl_AndTheAgentKeepsGoing()
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", UniqueClusterCidr());
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-b");
        var kubectl = new Kubectl("1.33", _temp["kube-cache"]);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "node", "edge-b", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], o => o == "True");
        var image = TestImages.BusyboxReference;
        var absentDir = _temp["absent-dir"];
        var manifest = _temp["failing.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{image}}
                command: ["sleep", "600"]
                livenessProbe:
                  exec: {command: ["cat", "/no/such/file"]}
                  periodSeconds: 1
                  failureThreshold: 1
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: hog}
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: {{image}}
                command: ["sh", "-c", "a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done"]
                resources:
                  limits: {memory: 16Mi}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: no-image}
            spec:
              containers:
              - {name: c, image: edge.invalid/nothing:1}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: no-config}
            spec:
              containers:
              - name: c
                image: {{image}}
                command: ["sleep", "600"]
                env:
                - name: K
                  valueFrom:
                    configMapKeyRef: {name: absent, key: k}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: no-command}
            spec:
              containers:
              - {name: c, image: {{image}}, command: ["/no/such/program"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: no-hostpath}
            spec:
              containers:
              - name: c
                image: {{image}}
                command: ["sleep", "600"]
                volumeMounts: [{name: data, mountPath: /data}]
              volumes:
              - name: data
                hostPath: {path: {{absentDir}}, type: Directory}
            """);
        var apply = await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        string Column(string output, int index) => output.Split(' ', StringSplitOptions.RemoveEmptyEntries)[index];
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "hog", "--no-headers"], o => Column(o, 2) == "OOMKilled");
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "no-image", "--no-headers"], o => Column(o, 2) is "ErrImagePull" or "ImagePullBackOff");
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "no-config", "--no-headers"], o => Column(o, 2) == "CreateContainerConfigError");
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "no-command", "--no-headers"], o => Column(o, 2) is "StartError" or "RunContainerError" or "CrashLoopBackOff");
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "no-hostpath", "--no-headers"], o => Column(o, 2) == "ContainerCreating");
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "liveness", "--no-headers"], o => int.Parse(Column(o, 3), System.Globalization.CultureInfo.InvariantCulture) >= 2);

        var events = (await kubectl.RunAsync(server.Kubeconfig, "get", "events", "-o", "custom-columns=OBJ:.involvedObject.name,REASON:.reason,MSG:.message", "--no-headers")).Stdout;
        Assert.Contains(events.Split('\n'), l => l.StartsWith("no-image", StringComparison.Ordinal) && l.Contains("Failed", StringComparison.Ordinal));
        Assert.Contains(events.Split('\n'), l => l.StartsWith("no-config", StringComparison.Ordinal) && l.Contains("configmap \"absent\" not found", StringComparison.Ordinal));
        Assert.Contains(events.Split('\n'), l => l.StartsWith("no-command", StringComparison.Ordinal) && l.Contains("/no/such/program", StringComparison.Ordinal));
        Assert.Contains(events.Split('\n'), l => l.StartsWith("no-hostpath", StringComparison.Ordinal) && l.Contains("FailedMount", StringComparison.Ordinal));
        Assert.Contains(events.Split('\n'), l => l.StartsWith("liveness", StringComparison.Ordinal) && l.Contains("Unhealthy", StringComparison.Ordinal));
        var describe = await kubectl.RunAsync(server.Kubeconfig, "describe", "pod", "liveness");
        Assert.Contains("Liveness probe failed", describe.Stdout);
        Assert.False(node.Process.HasExited, "the agent exited: " + node.Process.Errors);
        Assert.DoesNotContain("Unhandled exception", node.Process.Errors);

        var delete = await kubectl.RunAsync(server.Kubeconfig, "delete", "pods", "--all", "--wait");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.Empty(await node.WaitForRuntimeContainersAsync(count => count == 0));
    }
}
