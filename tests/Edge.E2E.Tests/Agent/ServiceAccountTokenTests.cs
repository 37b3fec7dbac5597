using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>
/// Projected service account tokens: the agent asks the API server for a token bound to the pod
/// and writes it into the volume; the container reads it and the server takes it as the pod's
/// service account, until the pod is gone.
/// </summary>
public sealed class ServiceAccountTokenTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>kubectl for the cluster, once the node is Ready.</summary>
    private async Task<Kubectl> ReadyAsync(ServerProcess server, AgentNode node)
    {
        var kubectl = new Kubectl("1.33", _temp["kube-cache"]);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "node", node.Name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], o => o == "True");
        return kubectl;
    }

    [Fact]
    public async Task ProjectedToken_IsThePodsServiceAccount_AndDiesWithThePod()
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", $"10.{100 + Random.Shared.Next(100)}.0.0/16");
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-t");
        var kubectl = await ReadyAsync(server, node);
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "serviceaccount", "reader")).ExitCode);

        var manifest = _temp["token.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: holder}
            spec:
              serviceAccountName: reader
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "cat /var/run/secrets/tokens/token; echo; cat /var/run/secrets/tokens/namespace; echo; sleep 600"]
                volumeMounts: [{name: api-access, mountPath: /var/run/secrets/tokens, readOnly: true}]
              volumes:
              - name: api-access
                projected:
                  sources:
                  - serviceAccountToken: {path: token, expirationSeconds: 3607}
                  - downwardAPI:
                      items:
                      - path: namespace
                        fieldRef: {fieldPath: metadata.namespace}
            """);
        var apply = await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "holder", "-o", "jsonpath={.status.phase}"], o => o == "Running");
        var logs = await node.WaitForKubectlAsync(kubectl, server, ["logs", "holder"], o => o.Contains('\n', StringComparison.Ordinal) && o.Contains("default", StringComparison.Ordinal));
        var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = lines[0];
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal("default", lines[1]);

        // The server knows the token as the pod's service account: authenticated, not authorised.
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var response = await client.GetAsync("/api/v1/namespaces/default/secrets"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 403, body);
            Assert.Contains("system:serviceaccount:default:reader", body);
        }

        // Bound to the pod: deleting it revokes the token.
        var deleted = await kubectl.RunAsync(server.Kubeconfig, "delete", "pod", "holder", "--wait=true", "--timeout=60s");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        using (var response = await client.GetAsync("/api/v1/namespaces/default/secrets"))
        {
            Assert.Equal(401, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task ProjectedToken_OfAMissingServiceAccount_IsAFailedMount_AndTheAgentKeepsGoing()
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", $"10.{100 + Random.Shared.Next(100)}.0.0/16");
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-u");
        var kubectl = await ReadyAsync(server, node);

        var manifest = _temp["gone.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: orphan}
            spec:
              serviceAccountName: never-created
              containers:
              - name: c
                image: {{TestImages.BusyboxReference}}
                command: ["sleep", "600"]
                volumeMounts: [{name: api-access, mountPath: /var/run/secrets/tokens}]
              volumes:
              - name: api-access
                projected:
                  sources:
                  - serviceAccountToken: {path: token}
            """);
        // Admitted (as upstream without its ServiceAccount admission plugin); the token cannot be issued.
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest)).ExitCode);

        var events = await node.WaitForKubectlAsync(
            kubectl, server, ["get", "events", "--field-selector", "involvedObject.name=orphan", "-o", "json"], o => o.Contains("FailedMount", StringComparison.Ordinal));
        var message = JsonNode.Parse(events)!["items"]!.AsArray().First(e => (string?)e!["reason"] == "FailedMount")!["message"]!.GetValue<string>();
        Assert.Contains("failed to fetch token", message);
        Assert.Contains("serviceaccounts \"never-created\" not found", message);
        await node.WaitForKubectlAsync(kubectl, server, ["get", "pod", "orphan", "--no-headers"], o => o.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2] == "ContainerCreating");
        Assert.False(node.Process.HasExited, "the agent exited: " + node.Process.Errors);
        Assert.DoesNotContain("Unhandled exception", node.Process.Errors);
    }

    [Fact]
    public async Task AKubeApiAccessVolume_AsOtherClustersWriteIt_GetsTokenRootCaAndNamespace()
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", $"10.{100 + Random.Shared.Next(100)}.0.0/16");
        await using var node = await AgentNode.StartAsync(_temp, server, "edge-v");
        var kubectl = await ReadyAsync(server, node);

        // The volume and mount exactly as upstream's ServiceAccount admission writes them (what
        // `kubectl get pod -o yaml` shows on any cluster): the ca.crt comes from the namespace's
        // kube-root-ca.crt, which the root-CA publisher keeps there.
        var manifest = _temp["incluster.yaml"];
        File.WriteAllText(manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: incluster}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{TestImages.BusyboxReference}}
                command: ["sh", "-c", "cd /var/run/secrets/kubernetes.io/serviceaccount && cat namespace && echo && cat token && echo && cat ca.crt && (touch probe 2>/dev/null && echo writable || echo read-only); sleep 600"]
                volumeMounts:
                - {name: kube-api-access-x7k2p, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
              volumes:
              - name: kube-api-access-x7k2p
                projected:
                  defaultMode: 420
                  sources:
                  - serviceAccountToken: {expirationSeconds: 3607, path: token}
                  - configMap:
                      name: kube-root-ca.crt
                      items: [{key: ca.crt, path: ca.crt}]
                  - downwardAPI:
                      items:
                      - path: namespace
                        fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}
            """);
        var apply = await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        var logs = await node.WaitForKubectlAsync(kubectl, server, ["logs", "incluster"], o => o.Contains("writable", StringComparison.Ordinal) || o.Contains("read-only", StringComparison.Ordinal));
        var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("default", lines[0]);
        var token = lines[1];
        Assert.Equal(3, token.Split('.').Length);
        Assert.Equal("read-only", lines[^1]);
        Assert.Equal(File.ReadAllText(server.CaFile).Trim(), string.Join('\n', lines[2..^1]));

        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/v1/namespaces/default/secrets");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 403, body);
        Assert.Contains("system:serviceaccount:default:default", body);
    }
}
