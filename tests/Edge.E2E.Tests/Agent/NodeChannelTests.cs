using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Edge.E2E.Tests.Agent;

/// <summary>The node channel (edge.node.v1 over gRPC on :6443) against the published server, checked with kubectl.</summary>
public sealed class NodeChannelTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private Kubectl Kubectl => new("1.33", _temp["kube-cache"]);

    private async Task<string> KubectlAsync(ServerProcess server, params string[] args)
    {
        var result = await Kubectl.RunAsync(server.Kubeconfig, args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}\nserver:\n{server.Output}");
        return result.Stdout.Trim();
    }

    private async Task ApplyAsync(ServerProcess server, string yaml)
    {
        var file = _temp[$"manifest-{Guid.NewGuid():N}.yaml"];
        await File.WriteAllTextAsync(file, yaml);
        await KubectlAsync(server, "apply", "-f", file);
    }

    private static string PodYaml(string name, string node, string? configMap = null) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          namespace: default
        spec:
          nodeName: {node}
          containers:
          - name: c
            image: nginx
        {(configMap is null ? "" : $"""
            volumeMounts:
            - name: cfg
              mountPath: /etc/cfg
          volumes:
          - name: cfg
            configMap:
              name: {configMap}
        """)}
        """;

    private async Task<string> NodeWithCidrAsync(ServerProcess server, string name)
    {
        await ApplyAsync(server, $"apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n");
        for (var i = 0; i < 40; i++)
        {
            var cidr = await KubectlAsync(server, "get", "node", name, "-o", "jsonpath={.spec.podCIDR}");
            if (cidr.Length > 0)
            {
                return cidr;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"node {name} got no pod CIDR");
    }

    private static X509Certificate2 NodeCertificate(ServerProcess server, string node) =>
        ClusterIdentities.IssueClientCertificate(server, "system:node:" + node, "system:nodes");

    private static List<string> Names(IEnumerable<ByteString> objects) =>
        objects.Select(b => (string)ObjectJson.Decode(b)["metadata"]!["name"]!).Order().ToList();

    private static AgentMessage Status(JsonObject pod, string phase) => new()
    {
        PodStatus = new PodStatusBatch
        {
            Pods =
            {
                new PodStatus
                {
                    Namespace = "default",
                    Name = (string)pod["metadata"]!["name"]!,
                    Uid = (string)pod["metadata"]!["uid"]!,
                    StatusJson = ByteString.CopyFromUtf8($$"""{"phase":"{{phase}}","podIP":"10.42.1.7"}"""),
                },
            },
        },
    };

    [Fact]
    public async Task Connect_SnapshotStatusDeletionAndResume_TouchOnlyThisNodesPods()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var cidr = await NodeWithCidrAsync(server, "pi-1");
        await NodeWithCidrAsync(server, "pi-2");
        await ApplyAsync(server, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: default\ndata:\n  k: v1\n");
        await ApplyAsync(server, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: default\ndata:\n  k: x\n");
        await ApplyAsync(server, PodYaml("web", "pi-1", "web-config"));
        await ApplyAsync(server, PodYaml("other", "pi-2", "elsewhere"));

        using var certificate = NodeCertificate(server, "pi-1");
        long acked;
        JsonObject web;
        await using (var call = NodeChannelCall.Open(server, certificate))
        {
            // Connected without an ack: a snapshot of exactly this node's pods and what they mount.
            var first = await call.HelloAsync("pi-1", 0);
            Assert.Equal(ServerMessage.BodyOneofCase.Snapshot, first.BodyCase);
            Assert.Equal(["web"], Names(first.Snapshot.Pods));
            Assert.Equal(["web-config"], Names(first.Snapshot.ConfigMaps));
            Assert.Equal(cidr, first.Snapshot.PodCidr);
            web = ObjectJson.Decode(first.Snapshot.Pods.Single());
            acked = first.Snapshot.Revision;
            await call.SendAsync(new AgentMessage { Ack = new Ack { Revision = acked } });

            // Status up: written through the registry, visible to kubectl.
            await call.SendAsync(Status(web, "Running"));
            var statusAck = (await call.NextAsync(ServerMessage.BodyOneofCase.StatusAck)).StatusAck;
            Assert.Equal(call.LastSequence, statusAck.AckedSequence);
            Assert.Empty(statusAck.Failures);
            Assert.Equal("Running", await KubectlAsync(server, "get", "pod", "web", "-o", "jsonpath={.status.phase}"));
            Assert.Equal("10.42.1.7", await KubectlAsync(server, "get", "pod", "web", "-o", "jsonpath={.status.podIP}"));

            // Another node's pod, or a stale uid: refused, reported, nothing written.
            var other = JsonNode.Parse(await KubectlAsync(server, "get", "pod", "other", "-o", "json"))!.AsObject();
            await call.SendAsync(Status(other, "Failed"));
            var refused = (await call.NextAsync(ServerMessage.BodyOneofCase.StatusAck)).StatusAck.Failures.Single();
            Assert.Equal(403, refused.Code);
            var stale = (JsonObject)web.DeepClone();
            stale["metadata"]!["uid"] = "0000-stale";
            await call.SendAsync(Status(stale, "Failed"));
            Assert.Equal(409, (await call.NextAsync(ServerMessage.BodyOneofCase.StatusAck)).StatusAck.Failures.Single().Code);
            Assert.Equal("Pending", await KubectlAsync(server, "get", "pod", "other", "-o", "jsonpath={.status.phase}"));
            Assert.Equal("Running", await KubectlAsync(server, "get", "pod", "web", "-o", "jsonpath={.status.phase}"));

            // A ConfigMap the pod mounts changes: the node hears of it.
            await ApplyAsync(server, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: default\ndata:\n  k: v2\n");
            var changed = (await call.NextAsync(ServerMessage.BodyOneofCase.Delta)).Delta;
            Assert.Equal("v2", (string?)ObjectJson.Decode(changed.UpsertedConfigMaps.Single())["data"]!["k"]);
            Assert.Empty(changed.UpsertedPods);

            // kubectl delete marks the bound pod terminating; the node confirms; the pod is gone.
            await KubectlAsync(server, "delete", "pod", "web", "--wait=false");
            var terminating = (await call.NextAsync(ServerMessage.BodyOneofCase.Delta)).Delta;
            Assert.NotNull(ObjectJson.Decode(terminating.UpsertedPods.Single())["metadata"]!["deletionTimestamp"]);
            await call.SendAsync(new AgentMessage { PodDeleted = new PodDeletionConfirmed { Pods = { new ObjectRef { Namespace = "default", Name = "web", Uid = (string)web["metadata"]!["uid"]! } } } });
            Assert.Empty((await call.NextAsync(ServerMessage.BodyOneofCase.StatusAck)).StatusAck.Failures);
            var removed = (await call.NextAsync(ServerMessage.BodyOneofCase.Delta)).Delta;
            Assert.Equal("web", removed.RemovedPods.Single().Name);
            Assert.Equal("web-config", removed.RemovedConfigMaps.Single().Name);
            acked = removed.Revision;
            await call.SendAsync(new AgentMessage { Ack = new Ack { Revision = acked } });
            var gone = await Kubectl.RunAsync(server.Kubeconfig, "get", "pod", "web");
            Assert.Contains("NotFound", gone.Stderr);
        }

        // While the node is away: one pod for it, one for another node.
        await ApplyAsync(server, PodYaml("web2", "pi-1"));
        await ApplyAsync(server, PodYaml("other2", "pi-2"));

        await using (var again = NodeChannelCall.Open(server, certificate))
        {
            var resumed = await again.HelloAsync("pi-1", acked);
            Assert.Equal(ServerMessage.BodyOneofCase.Delta, resumed.BodyCase);
            Assert.True(resumed.Delta.Revision > acked);
            Assert.Equal(["web2"], Names(resumed.Delta.UpsertedPods));
            Assert.Empty(resumed.Delta.RemovedPods);
        }

        // The hub logs the resume as it starts the stream; the line may land just after the delta.
        var logged = DateTime.UtcNow.AddSeconds(10);
        while (!server.Output.Contains("resumed after revision", StringComparison.Ordinal) && DateTime.UtcNow < logged)
        {
            await Task.Delay(50);
        }

        Assert.Contains("resumed after revision", server.Output);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task Connect_OtherIdentitiesAndGarbage_GetCleanGrpcErrors_AndTheServerStaysUp()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        await NodeWithCidrAsync(server, "pi-1");
        await ApplyAsync(server, PodYaml("web", "pi-1"));

        async Task<RpcException> RefusedAsync(X509Certificate2? certificate, string node)
        {
            await using var call = NodeChannelCall.Open(server, certificate);
            try
            {
                await call.SendHelloAsync(node, 0);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                // A refusal may already have ended the call; its status is what the read reports.
            }

            return await Assert.ThrowsAsync<RpcException>(() => call.NextAsync());
        }

        using var admin = X509Certificate2.CreateFromPemFile(Path.Combine(server.DataDir, "tls", "client-admin.crt"), Path.Combine(server.DataDir, "tls", "client-admin.key"));
        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(admin, "pi-1")).StatusCode);
        using var pi2 = NodeCertificate(server, "pi-2");
        var impersonation = await RefusedAsync(pi2, "pi-1");
        Assert.Equal(StatusCode.PermissionDenied, impersonation.StatusCode);
        Assert.Contains("cannot speak for node 'pi-1'", impersonation.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, (await RefusedAsync(null, "pi-1")).StatusCode);
        using var notNodes = ClusterIdentities.IssueClientCertificate(server, "system:node:pi-1", "developers");
        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(notNodes, "pi-1")).StatusCode);

        // Garbage after a valid frame header, and a frame claiming 2 GiB: gRPC statuses in the trailers.
        using var pi1 = NodeCertificate(server, "pi-1");
        foreach (var body in new[] { new byte[] { 0, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, new byte[] { 0, 0x7f, 0xff, 0xff, 0xff, 1, 2, 3 } })
        {
            using var http = server.CreateClient(pi1);
            using var request = new HttpRequestMessage(HttpMethod.Post, NodeChannelProtocol.ConnectPath)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(body),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var status = int.Parse(response.TrailingHeaders.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains(status, new[] { GrpcStatusCodes.Internal, GrpcStatusCodes.ResourceExhausted });
        }

        // HTTP/1.1 is not gRPC: a plain HTTP refusal.
        using (var http1 = server.CreateClient(pi1))
        {
            using var response = await http1.PostAsync(NodeChannelProtocol.ConnectPath, new ByteArrayContent([]));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }

        Assert.Equal("ok", await KubectlAsync(server, "get", "--raw", "/readyz"));
        await using var fine = NodeChannelCall.Open(server, pi1);
        Assert.Equal(["web"], Names((await fine.HelloAsync("pi-1", 0)).Snapshot.Pods));
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task AgentRun_OpensTheChannel_AndReceivesItsPods()
    {
        // A cluster CIDR and bridge of the test's own: the agent really runs the pod it receives.
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--cluster-cidr", "10.77.0.0/16");
        await ApplyAsync(server, PodYaml("on-pi-3", "pi-3"));

        await using var node = await AgentNode.StartAsync(_temp, server, "pi-3");
        var agent = node.Process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!agent.Errors.Contains("desired state: snapshot at revision") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(agent.Errors.Contains("(1 pods, 0 configmaps, 0 secrets, podCIDR 10.77.", StringComparison.Ordinal), $"agent:\n{agent.Errors}\nserver:\n{server.Output}");
        Assert.Contains("node pi-3 connected", server.Output);
        Posix.Kill(agent.Pid, Posix.SIGTERM);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"exit {exit}; agent:\n{agent.Errors}");
        Assert.Contains("node channel stopped", agent.Errors);
    }
}
