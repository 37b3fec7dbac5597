using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Authentication, authorization, node restriction and limits against a real edge-server, with
/// real kubectl where a user would use it. Every identity is minted from the server's own data
/// dir, as an operator would; attackers' identities are minted with foreign or stolen keys.
/// </summary>
public sealed class SecurityTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WithoutCredentials_OnlyHealthAndVersionAnswer_EverythingElseIs401()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        using var anonymous = server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/version")).StatusCode);
        foreach (var path in new[] { "/api", "/apis", "/openapi/v2", "/api/v1/namespaces/kube-system/secrets", "/api/v1/nodes", "/metrics", "/nothing" })
        {
            await AssertStatusAsync(anonymous, HttpMethod.Get, path, 401, "Unauthorized");
        }

        await AssertStatusAsync(anonymous, HttpMethod.Post, "/api/v1/namespaces", 401, "Unauthorized", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"evil"}}""");
        var admin = Kubectl();
        var namespaces = await admin.RunAsync(server.Kubeconfig, "get", "namespace", "evil", "--ignore-not-found", "-o", "name");
        Assert.Equal("", namespaces.Stdout.Trim());
    }

    [Fact]
    public async Task BadBearerTokens_Are401_NotAnonymous()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        using var foreignKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = $$$"""{"iss":"https://kubernetes.default.svc.cluster.local","aud":["https://kubernetes.default.svc.cluster.local"],"exp":{{{now + 3600}}},"iat":{{{now}}},"nbf":{{{now}}},"sub":"system:serviceaccount:kube-system:default","kubernetes.io":{"namespace":"kube-system","serviceaccount":{"name":"default","uid":"x"} } }""";
        var server64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(new string('a', 10_000)));
        var tokens = new[]
        {
            "garbage",
            "E10" + new string('0', 64) + "::server.0123456789abcdef", // a join token is not an API credential
            ClusterIdentities.SignToken(foreignKey, claims), // signed by someone else
            "eyJhbGciOiJub25lIn0." + Convert.ToBase64String(Encoding.UTF8.GetBytes(claims)).TrimEnd('=') + ".", // alg none
            server64,
        };
        foreach (var token in tokens)
        {
            using var client = server.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await AssertStatusAsync(client, HttpMethod.Get, "/api/v1/namespaces/kube-system/secrets", 401, "Unauthorized");
        }

        using var basic = server.CreateClient();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:admin"u8));
        await AssertStatusAsync(basic, HttpMethod.Get, "/api/v1/namespaces", 401, "Unauthorized");
        Assert.False(server.HasExited);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task ServiceAccountTokens_FromKubectlCreateToken_Authenticate_UntilExpiredOrRevoked(string version)
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = Kubectl(version);
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "serviceaccount", "robot")).ExitCode);
        var created = await kubectl.RunAsync(server.Kubeconfig, "create", "token", "robot", "--duration", "15m");
        Assert.True(created.ExitCode == 0, created.ToString());
        var token = created.Stdout.Trim();

        // Authenticated as the service account, and without a binding forbidden with upstream's message.
        var asRobot = ClusterIdentities.WriteTokenKubeconfig(server, _temp, token, "robot-" + version);
        var list = await kubectl.RunAsync(asRobot, "get", "pods");
        Assert.Equal(1, list.ExitCode);
        Assert.Contains("Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", list.Stderr);

        // Expired (forged with the server's own key, so only the time is wrong) → 401.
        using (var key = ClusterIdentities.ServiceAccountKey(server))
        {
            var uid = (await kubectl.RunAsync(server.Kubeconfig, "get", "serviceaccount", "robot", "-o", "jsonpath={.metadata.uid}")).Stdout.Trim();
            var past = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
            var expired = ClusterIdentities.SignToken(key, $$$"""{"iss":"https://kubernetes.default.svc.cluster.local","aud":["https://kubernetes.default.svc.cluster.local"],"exp":{{{past + 600}}},"iat":{{{past}}},"nbf":{{{past}}},"sub":"system:serviceaccount:default:robot","kubernetes.io":{"namespace":"default","serviceaccount":{"name":"robot","uid":"{{{uid}}}"} } }""");
            var withExpired = await kubectl.RunAsync(ClusterIdentities.WriteTokenKubeconfig(server, _temp, expired, "expired-" + version), "get", "pods");
            Assert.Contains("Unauthorized", withExpired.Stderr);
        }

        // Revoked: the account is deleted and re-created under the same name (a new uid).
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "delete", "serviceaccount", "robot")).ExitCode);
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "serviceaccount", "robot")).ExitCode);
        var revoked = await kubectl.RunAsync(asRobot, "get", "pods");
        Assert.Equal(1, revoked.ExitCode);
        Assert.Contains("Unauthorized", revoked.Stderr);
    }

    [Fact]
    public async Task PodBoundToken_StopsWorking_WhenThePodIsDeleted()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = Kubectl();
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "run", "holder", "--image", "busybox", "--restart", "Never")).ExitCode);
        var created = await kubectl.RunAsync(server.Kubeconfig, "create", "token", "default", "--bound-object-kind", "Pod", "--bound-object-name", "holder");
        Assert.True(created.ExitCode == 0, created.ToString());
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Stdout.Trim());
        await AssertStatusAsync(client, HttpMethod.Get, "/api/v1/namespaces/default/secrets", 403, "Forbidden");

        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "delete", "pod", "holder", "--grace-period", "0", "--force")).ExitCode);
        await AssertStatusAsync(client, HttpMethod.Get, "/api/v1/namespaces/default/secrets", 401, "Unauthorized");
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task UserWithoutBinding_Gets403_WithUpstreamMessages(string version)
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = Kubectl(version);
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", "s1", "--from-literal", "k=v")).ExitCode);
        using var bob = ClusterIdentities.IssueClientCertificate(server, "bob", "developers");
        var asBob = ClusterIdentities.WriteKubeconfig(server, _temp, bob, "bob-" + version);

        var list = await kubectl.RunAsync(asBob, "get", "pods");
        Assert.Contains("Error from server (Forbidden): pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", list.Stderr);
        var get = await kubectl.RunAsync(asBob, "get", "secret", "s1");
        Assert.Contains("Error from server (Forbidden): secrets \"s1\" is forbidden: User \"bob\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\"", get.Stderr);
        var nodes = await kubectl.RunAsync(asBob, "get", "nodes");
        Assert.Contains("nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope", nodes.Stderr);
        var deployments = await kubectl.RunAsync(asBob, "create", "deployment", "d", "--image", "busybox");
        Assert.Contains("deployments.apps is forbidden: User \"bob\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"", deployments.Stderr);

        using var client = server.CreateClient(bob);
        var status = await AssertStatusAsync(client, HttpMethod.Delete, "/api/v1/namespaces/default/secrets/s1", 403, "Forbidden");
        Assert.Equal("s1", status["details"]?["name"]?.GetValue<string>());
        Assert.Equal("secrets", status["details"]?["kind"]?.GetValue<string>());
        Assert.Equal("s1", (await kubectl.RunAsync(server.Kubeconfig, "get", "secret", "s1", "-o", "jsonpath={.metadata.name}")).Stdout);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Rbac_BindingsGrantExactlyWhatTheySay_CanIAndWhoAmIWork_AndNoOneEscalates(string version)
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = Kubectl(version);
        using var carol = ClusterIdentities.IssueClientCertificate(server, "carol", "shop-staff");
        var asCarol = ClusterIdentities.WriteKubeconfig(server, _temp, carol, "carol-" + version);
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "namespace", "shop")).ExitCode);

        var before = await kubectl.RunAsync(asCarol, "auth", "can-i", "list", "pods", "-n", "shop");
        Assert.Equal((1, "no"), (before.ExitCode, before.Stdout.Trim()));

        // A group binding of the aggregated "edit" role in one namespace.
        var bound = await kubectl.RunAsync(server.Kubeconfig, "create", "rolebinding", "staff-edit", "-n", "shop", "--clusterrole", "edit", "--group", "shop-staff");
        Assert.True(bound.ExitCode == 0, bound.ToString());
        Assert.Equal("yes", (await kubectl.RunAsync(asCarol, "auth", "can-i", "create", "deployments", "-n", "shop")).Stdout.Trim());
        Assert.Equal("no", (await kubectl.RunAsync(asCarol, "auth", "can-i", "create", "deployments", "-n", "default")).Stdout.Trim());
        Assert.Equal("no", (await kubectl.RunAsync(asCarol, "auth", "can-i", "create", "rolebindings", "-n", "shop")).Stdout.Trim());
        var deploy = await kubectl.RunAsync(asCarol, "create", "deployment", "web", "-n", "shop", "--image", "busybox");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var elsewhere = await kubectl.RunAsync(asCarol, "create", "deployment", "web", "-n", "default", "--image", "busybox");
        Assert.Contains("deployments.apps is forbidden: User \"carol\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"default\"", elsewhere.Stderr);

        var list = await kubectl.RunAsync(asCarol, "auth", "can-i", "--list", "-n", "shop");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("deployments.apps", list.Stdout);
        Assert.Contains("selfsubjectaccessreviews.authorization.k8s.io", list.Stdout);

        var whoami = await kubectl.RunAsync(asCarol, "auth", "whoami");
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains("carol", whoami.Stdout);
        Assert.Contains("shop-staff", whoami.Stdout);
        Assert.Contains("system:authenticated", whoami.Stdout);

        // Escalation: a namespace editor cannot bind itself to more than it holds.
        var escalate = await kubectl.RunAsync(server.Kubeconfig, "create", "role", "binder", "-n", "shop", "--verb", "create", "--resource", "rolebindings");
        Assert.True(escalate.ExitCode == 0, escalate.ToString());
        Assert.Equal(0, (await kubectl.RunAsync(server.Kubeconfig, "create", "rolebinding", "carol-binder", "-n", "shop", "--role", "binder", "--user", "carol")).ExitCode);
        var grab = await kubectl.RunAsync(asCarol, "create", "rolebinding", "grab", "-n", "shop", "--clusterrole", "cluster-admin", "--user", "carol");
        Assert.Equal(1, grab.ExitCode);
        Assert.Contains("forbidden", grab.Stderr);
        var selfRole = await kubectl.RunAsync(asCarol, "create", "role", "everything", "-n", "shop", "--verb", "*", "--resource", "secrets");
        Assert.Equal(1, selfRole.ExitCode);
        Assert.Contains("forbidden", selfRole.Stderr);
        Assert.Equal("no", (await kubectl.RunAsync(asCarol, "auth", "can-i", "delete", "nodes")).Stdout.Trim());
        var rolebindings = await kubectl.RunAsync(server.Kubeconfig, "get", "rolebindings", "-n", "shop", "-o", "name");
        Assert.DoesNotContain("grab", rolebindings.Stdout);
    }

    [Fact]
    public async Task Nodes_WriteOnlyTheirOwnObjects_AndReadOnlyTheSecretsTheirPodsUse()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = Kubectl();
        var manifest = _temp["nodes.yaml"];
        await File.WriteAllTextAsync(manifest, """
            apiVersion: v1
            kind: Node
            metadata: {name: node-a}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: node-b}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: for-a}
            stringData: {k: a}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: for-b}
            stringData: {k: b}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cm-a}
            data: {k: a}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: pod-a}
            spec:
              nodeName: node-a
              containers:
              - name: c
                image: busybox
                envFrom: [{configMapRef: {name: cm-a}}]
              volumes: [{name: s, secret: {secretName: for-a}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: pod-b}
            spec:
              nodeName: node-b
              containers: [{name: c, image: busybox}]
              volumes: [{name: s, secret: {secretName: for-b}}]
            """);
        var applied = await kubectl.RunAsync(server.Kubeconfig, "apply", "-f", manifest);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        using var nodeA = ClusterIdentities.IssueClientCertificate(server, "system:node:node-a", "system:nodes");
        using var a = server.CreateClient(nodeA);
        const string merge = "application/merge-patch+json";

        // Its own Node and Lease: yes. Another node's: no.
        await AssertCodeAsync(a, HttpMethod.Patch, "/api/v1/nodes/node-a", 200, """{"metadata":{"labels":{"site":"shop-1"}}}""", merge);
        await AssertStatusAsync(a, HttpMethod.Patch, "/api/v1/nodes/node-b", 403, "Forbidden", """{"metadata":{"labels":{"site":"stolen"}}}""", merge);
        await AssertStatusAsync(a, HttpMethod.Patch, "/api/v1/nodes/node-b/status", 403, "Forbidden", """{"status":{"conditions":[]}}""", merge);
        await AssertStatusAsync(a, HttpMethod.Delete, "/api/v1/nodes/node-b", 403, "Forbidden");
        await AssertStatusAsync(a, HttpMethod.Post, "/api/v1/nodes", 403, "Forbidden", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-c"}}""");
        var taint = await AssertStatusAsync(a, HttpMethod.Patch, "/api/v1/nodes/node-a", 403, "Forbidden", """{"spec":{"taints":[]},"metadata":{"labels":{"x":"y"}}}""" .Replace("[]", """[{"key":"k","effect":"NoSchedule"}]"""), merge);
        Assert.Contains("not allowed to modify taints", taint["message"]!.GetValue<string>());
        await AssertStatusAsync(a, HttpMethod.Patch, "/api/v1/nodes/node-a", 403, "Forbidden", """{"metadata":{"labels":{"node-restriction.kubernetes.io/trusted":"true"}}}""", merge);
        await AssertCodeAsync(a, HttpMethod.Post, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", 201,
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"node-a"},"spec":{"holderIdentity":"node-a"}}""");
        await AssertStatusAsync(a, HttpMethod.Post, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", 403, "Forbidden",
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"node-b"},"spec":{"holderIdentity":"node-a"}}""");

        // Pods: status of its own pods only.
        await AssertCodeAsync(a, HttpMethod.Patch, "/api/v1/namespaces/default/pods/pod-a/status", 200, """{"status":{"phase":"Running"}}""", merge);
        await AssertStatusAsync(a, HttpMethod.Patch, "/api/v1/namespaces/default/pods/pod-b/status", 403, "Forbidden", """{"status":{"phase":"Failed"}}""", merge);
        await AssertStatusAsync(a, HttpMethod.Delete, "/api/v1/namespaces/default/pods/pod-b", 403, "Forbidden");

        // Secrets and ConfigMaps: only those its pods use, by name; never a list.
        await AssertCodeAsync(a, HttpMethod.Get, "/api/v1/namespaces/default/secrets/for-a", 200);
        await AssertCodeAsync(a, HttpMethod.Get, "/api/v1/namespaces/default/configmaps/cm-a", 200);
        var denied = await AssertStatusAsync(a, HttpMethod.Get, "/api/v1/namespaces/default/secrets/for-b", 403, "Forbidden");
        Assert.Equal("secrets \"for-b\" is forbidden: User \"system:node:node-a\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\": node 'node-a': no relationship found between node 'node-a' and this object", denied["message"]!.GetValue<string>());
        await AssertStatusAsync(a, HttpMethod.Get, "/api/v1/namespaces/default/secrets", 403, "Forbidden");
        await AssertStatusAsync(a, HttpMethod.Get, "/api/v1/namespaces/default/secrets?watch=true&fieldSelector=metadata.name%3Dfor-b", 403, "Forbidden");
        await AssertStatusAsync(a, HttpMethod.Get, "/api/v1/namespaces/kube-system/secrets/for-a", 403, "Forbidden");

        // Tokens only for its own pods; mirror pods only bound to itself and without secrets.
        await AssertStatusAsync(a, HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/default/token", 403, "Forbidden",
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"pod-b"}}}""");
        await AssertCodeAsync(a, HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/default/token", 201,
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"pod-a"}}}""");
        await AssertStatusAsync(a, HttpMethod.Post, "/api/v1/namespaces/default/pods", 403, "Forbidden",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"sneaky"},"spec":{"nodeName":"node-a","containers":[{"name":"c","image":"busybox"}]}}""");
        await AssertStatusAsync(a, HttpMethod.Post, "/api/v1/namespaces/default/pods", 403, "Forbidden",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"mirror-steal","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"nodeName":"node-a","containers":[{"name":"c","image":"busybox"}],"volumes":[{"name":"s","secret":{"secretName":"for-b"}}]}}""");
        await AssertCodeAsync(a, HttpMethod.Post, "/api/v1/namespaces/default/pods", 201,
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"static-web-node-a","annotations":{"kubernetes.io/config.mirror":"x"}},"spec":{"nodeName":"node-a","containers":[{"name":"c","image":"busybox"}]}}""");

        // Nothing of node-b changed.
        var nodeB = await kubectl.RunAsync(server.Kubeconfig, "get", "node", "node-b", "-o", "jsonpath={.metadata.labels.site}");
        Assert.Equal("", nodeB.Stdout);
        Assert.Equal("Pending", (await kubectl.RunAsync(server.Kubeconfig, "get", "pod", "pod-b", "-o", "jsonpath={.status.phase}")).Stdout);
        Assert.Equal("shop-1", (await kubectl.RunAsync(server.Kubeconfig, "get", "node", "node-a", "-o", "jsonpath={.metadata.labels.site}")).Stdout);
    }

    [Fact]
    public async Task FloodingClient_Gets429_WhileAnotherClientKeepsNormalLatency()
    {
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--api-rate-limit", "20", "--api-rate-burst", "40");
        using var floodCert = ClusterIdentities.IssueClientCertificate(server, "system:node:flood", "system:nodes");
        using var calmCert = ClusterIdentities.IssueClientCertificate(server, "system:node:calm", "system:nodes");
        using var flood = server.CreateClient(floodCert);
        using var calm = server.CreateClient(calmCert);

        var baseline = await CalmLatenciesAsync(calm, 20);
        var rejected = 0;
        var served = 0;
        string? retryAfter = null;
        JsonNode? tooMany = null;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var flooders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await flood.GetAsync("/api/v1/nodes");
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref rejected);
                    retryAfter ??= response.Headers.RetryAfter?.ToString();
                    tooMany ??= JsonNode.Parse(await response.Content.ReadAsStringAsync());
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Interlocked.Increment(ref served);
                }
            }
        })).ToList();
        await Task.Delay(300);
        var underFlood = await CalmLatenciesAsync(calm, 20, TimeSpan.FromMilliseconds(100));
        await Task.WhenAll(flooders);

        Assert.True(rejected > 0, $"the flooding client was never limited ({served} served)");
        Assert.True(served <= 40 + (20 * 5), $"the flooding client got {served} requests through, more than its burst and rate allow");
        Assert.Equal("1", retryAfter);
        Assert.Equal("TooManyRequests", tooMany?["reason"]?.GetValue<string>());
        Assert.Equal(429, tooMany?["code"]?.GetValue<int>());
        var p99 = underFlood.Max();
        Console.WriteLine($"flood: {served} served, {rejected} refused with 429; calm client p50 {baseline.Order().ElementAt(10):F1} ms alone, p50 {underFlood.Order().ElementAt(10):F1} ms / max {p99:F1} ms under the flood");
        Assert.True(p99 < 1000, $"the calm client waited {p99:F0} ms under the flood");
    }

    [Fact]
    public async Task AuditLog_HasOneLinePerRequest_WithUserVerbAndCode()
    {
        var auditPath = _temp["audit/audit.log"];
        await using var server = await ServerProcess.StartAsync(_temp, "server", null, "--audit-log-path", auditPath);
        using var bob = ClusterIdentities.IssueClientCertificate(server, "bob");
        using var asBob = server.CreateClient(bob);
        await AssertStatusAsync(asBob, HttpMethod.Get, "/api/v1/namespaces/default/configmaps?labelSelector=audit%3Dme", 403, "Forbidden");
        Assert.Equal(0, (await Kubectl().RunAsync(server.Kubeconfig, "create", "configmap", "audited")).ExitCode);
        await server.StopAsync();

        var lines = (await File.ReadAllLinesAsync(auditPath)).Select(l => JsonNode.Parse(l)!).ToList();
        var denied = Assert.Single(lines, l => l["user"]?.GetValue<string>() == "bob");
        Assert.Equal("list", denied["verb"]!.GetValue<string>());
        Assert.Equal("configmaps", denied["resource"]!.GetValue<string>());
        Assert.Equal(403, denied["code"]!.GetValue<int>());
        Assert.Contains("labelSelector=audit%3Dme", denied["requestURI"]!.GetValue<string>());
        var create = Assert.Single(lines, l => l["user"]?.GetValue<string>() == "system:admin" && l["verb"]?.GetValue<string>() == "create");
        Assert.Equal(201, create["code"]!.GetValue<int>());
        Assert.All(lines, l => Assert.True(l["latencyMs"]!.GetValue<double>() >= 0));
    }

    public static TheoryData<string> KubectlVersions() => new(Infrastructure.Kubectl.Versions);

    private Kubectl Kubectl(string version = "1.33") => new(version, _temp["kubectl-cache-" + version]);

    private static async Task<List<double>> CalmLatenciesAsync(HttpClient client, int count, TimeSpan? pace = null)
    {
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync("/api/v1/nodes");
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (pace is { } delay)
            {
                await Task.Delay(delay);
            }
        }

        return latencies;
    }

    private static async Task<string> AssertCodeAsync(HttpClient client, HttpMethod method, string path, int code, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code == (int)response.StatusCode, $"{method} {path}: expected {code}, got {(int)response.StatusCode}: {text}");
        return text;
    }

    private static async Task<JsonNode> AssertStatusAsync(HttpClient client, HttpMethod method, string path, int code, string reason, string? body = null, string contentType = "application/json")
    {
        var text = await AssertCodeAsync(client, method, path, code, body, contentType);
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", status["kind"]?.GetValue<string>());
        Assert.Equal(code, status["code"]?.GetValue<int>());
        Assert.Equal(reason, status["reason"]?.GetValue<string>());
        return status;
    }
}
