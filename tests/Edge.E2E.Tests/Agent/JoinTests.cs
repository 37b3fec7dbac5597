using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary>Real edge-server and edge-agent processes: tokens, join, the node identity, renewal.</summary>
public sealed class JoinTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed record Device(string DataDir, string ConfigPath)
    {
        public string Pki(string file) => System.IO.Path.Combine(DataDir, "pki", file);

        public X509Certificate2 Certificate() => X509Certificate2.CreateFromPemFile(Pki("node.crt"), Pki("node.key"));
    }

    private Device NewDevice(string name) => new(_temp[name + "-agent"], _temp[name + "-agent.yaml"]);

    private static Task<RunResult> JoinAsync(ServerProcess server, Device device, string token, string nodeName, params string[] extra) =>
        Run.Async(Binaries.Agent(), [
            "join", $"https://127.0.0.1:{server.Port}", "--token", token, "--node-name", nodeName,
            "--data-dir", device.DataDir, "--config", device.ConfigPath, .. extra]);

    private static async Task<string> ServerCommandAsync(ServerProcess server, params string[] args)
    {
        var result = await Run.Async(Binaries.Server(), [.. args, "--data-dir", server.DataDir]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }

    private static HttpClient Admin(ServerProcess server) => server.CreateClient(X509Certificate2.CreateFromPemFile(
        System.IO.Path.Combine(server.DataDir, "tls", "client-admin.crt"), System.IO.Path.Combine(server.DataDir, "tls", "client-admin.key")));

    private static async Task<JsonObject?> GetNodeAsync(ServerProcess server, string name)
    {
        using var admin = Admin(server);
        using var response = await admin.GetAsync($"/api/v1/nodes/{name}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static string KeyHash(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>Authenticated means "not 401": RBAC may still forbid a node some paths.</summary>
    private static async Task AssertAuthenticatesAsync(ServerProcess server, X509Certificate2 certificate)
    {
        using var client = server.CreateClient(certificate);
        using var response = await client.GetAsync("/api/v1/nodes");
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Forbidden });
    }

    private static void AssertNothingWritten(Device device)
    {
        Assert.False(Directory.Exists(device.DataDir), $"{device.DataDir} was created");
        Assert.False(File.Exists(device.ConfigPath), $"{device.ConfigPath} was written");
    }

    [Fact]
    public async Task Join_ServerToken_WritesAnIdentityThatAuthenticates_AndRegistersTheNode()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var token = await ServerCommandAsync(server, "token");
        var device = NewDevice("pi-1");

        var result = await JoinAsync(server, device, token, "pi-1", "--node-label", "zone=barn", "--node-taint", "dedicated=edge:NoSchedule");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("node pi-1 joined", result.Stdout);
        using var certificate = device.Certificate();
        Assert.Equal("O=system:nodes, CN=system:node:pi-1", certificate.Subject);
        Assert.Equal(File.ReadAllText(server.CaFile), File.ReadAllText(device.Pki("ca.crt")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(device.Pki("node.key")));
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(366));
        await AssertAuthenticatesAsync(server, certificate);

        var node = await GetNodeAsync(server, "pi-1");
        Assert.NotNull(node);
        Assert.Equal(KeyHash(certificate), (string?)node["metadata"]!["annotations"]!["edge.io/node-key-sha256"]);
        Assert.Equal("barn", (string?)node["metadata"]!["labels"]!["zone"]);
        Assert.Equal("dedicated", (string?)node["spec"]!["taints"]![0]!["key"]);

        var config = File.ReadAllText(device.ConfigPath);
        Assert.Contains($"server: \"https://127.0.0.1:{server.Port}\"", config);
        Assert.Contains("cluster-dns: \"10.43.0.10\"", config);
        Assert.Matches("pod-cidr: \"10\\.42\\.[0-9]+\\.0/24\"", config);
        Assert.DoesNotContain(token, config);

        // Joining again is a no-op that keeps the key; a renewal that is not due changes nothing.
        var keyBefore = File.ReadAllText(device.Pki("node.key"));
        var again = await JoinAsync(server, device, token, "pi-1");
        var renew = await Run.Async(Binaries.Agent(), ["certificate", "renew", "--config", device.ConfigPath]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("had joined already", again.Stdout);
        Assert.True(renew.ExitCode == 0, renew.ToString());
        Assert.Contains("not due", renew.Stdout);
        Assert.Equal(keyBefore, File.ReadAllText(device.Pki("node.key")));
    }

    [Fact]
    public async Task Arm64Agent_UnderQemu_JoinsAnX64Server_AsAnArm64Node()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var device = NewDevice("pi");
        var result = await Run.Async("/usr/bin/qemu-aarch64-static", [
            "-L", "/usr/aarch64-linux-gnu", Binaries.Agent("linux-arm64"),
            "join", $"https://127.0.0.1:{server.Port}", "--token", await ServerCommandAsync(server, "token"), "--node-name", "pi-1",
            "--data-dir", device.DataDir, "--config", device.ConfigPath]);
        Assert.True(result.ExitCode == 0, result.ToString());

        var node = await GetNodeAsync(server, "pi-1");
        Assert.Equal("arm64", node?["metadata"]?["labels"]?["kubernetes.io/arch"]?.GetValue<string>());
        using var certificate = device.Certificate();
        await AssertAuthenticatesAsync(server, certificate);
    }

    [Fact]
    public async Task CreatedToken_Joins_DeletedOrExpiredTokenCannot()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var token = await ServerCommandAsync(server, "token", "create", "--ttl", "1h", "--description", "second site");
        var expiring = await ServerCommandAsync(server, "token", "create", "--ttl", "1s");
        var id = token.Split("::")[1].Split('.')[0];
        var secret = token.Split('.')[1];

        var list = await ServerCommandAsync(server, "token", "list");
        Assert.Contains(id, list);
        Assert.Contains("second site", list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain(secret, File.ReadAllText(System.IO.Path.Combine(server.DataDir, "cred", "join-tokens.json")));

        var joined = await JoinAsync(server, NewDevice("two"), token, "two");
        Assert.True(joined.ExitCode == 0, joined.ToString());

        Assert.Equal($"deleted join token {id}", await ServerCommandAsync(server, "token", "delete", id));
        var revoked = NewDevice("three");
        var refused = await JoinAsync(server, revoked, token, "three");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("edge-agent: the server refused the token (revoked, expired or mistyped): invalid or expired token", Assert.Single(refused.ErrorLines));
        AssertNothingWritten(revoked);
        Assert.Null(await GetNodeAsync(server, "three"));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var late = NewDevice("four");
        var expired = await JoinAsync(server, late, expiring, "four");
        Assert.Equal(1, expired.ExitCode);
        Assert.Contains("refused the token", expired.Stderr);
        AssertNothingWritten(late);

        var unknown = await Run.Async(Binaries.Server(), ["token", "delete", id, "--data-dir", server.DataDir]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains($"no join token with id '{id}'", unknown.Stderr);
    }

    [Fact]
    public async Task Join_TokenForAnotherCa_RefusedBeforeSendingIt()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var token = await ServerCommandAsync(server, "token");
        var forged = "E10" + new string('b', 64) + token[67..];
        var device = NewDevice("mitm");

        var result = await JoinAsync(server, device, forged, "mitm");

        Assert.Equal(1, result.ExitCode);
        var message = Assert.Single(result.ErrorLines);
        Assert.Contains(token[3..67], message);
        Assert.Contains(new string('b', 64), message);
        Assert.Contains("intercepting", message);
        AssertNothingWritten(device);
        Assert.DoesNotContain("/v1-edge/join", server.Output);
    }

    [Fact]
    public async Task Join_TakenNameWithAnotherKey_RefusedUntilTheNodeIsDeleted()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var token = await ServerCommandAsync(server, "token");
        Assert.Equal(0, (await JoinAsync(server, NewDevice("first"), token, "gateway")).ExitCode);
        var second = NewDevice("second");

        var refused = await JoinAsync(server, second, token, "gateway");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("node gateway is already registered with a different key; delete it first (kubectl delete node gateway)", refused.Stderr);
        AssertNothingWritten(second);

        using (var admin = Admin(server))
        {
            (await admin.DeleteAsync("/api/v1/nodes/gateway")).EnsureSuccessStatusCode();
        }

        var accepted = await JoinAsync(server, second, token, "gateway");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        using var certificate = second.Certificate();
        Assert.Equal(KeyHash(certificate), (string?)(await GetNodeAsync(server, "gateway"))!["metadata"]!["annotations"]!["edge.io/node-key-sha256"]);
    }

    [Fact]
    public async Task CertificateRenew_AcrossAServerRestart_NewKeyLaterExpiry()
    {
        var port = FreePort.Next();
        var device = NewDevice("renewing");
        X509Certificate2 before;
        string keyBefore;
        await using (var first = await ServerProcess.StartAsync(_temp, "server", port, "--node-certificate-lifetime", "30s"))
        {
            var token = await ServerCommandAsync(first, "token");
            var joined = await JoinAsync(first, device, token, "renewing");
            Assert.True(joined.ExitCode == 0, joined.ToString());
            before = device.Certificate();
            keyBefore = File.ReadAllText(device.Pki("node.key"));
            Assert.Equal(0, await first.StopAsync());
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1)); // NotAfter has a resolution of one second
        await using var second = await ServerProcess.StartAsync(_temp, "server", port, "--node-certificate-lifetime", "30s");

        var renew = await Run.Async(Binaries.Agent(), ["certificate", "renew", "--config", device.ConfigPath]);

        Assert.True(renew.ExitCode == 0, renew.ToString());
        Assert.Contains("renewed the certificate of node renewing", renew.Stdout);
        using var after = device.Certificate();
        Assert.Equal(before.Subject, after.Subject);
        Assert.True(after.NotAfter > before.NotAfter, $"{after.NotAfter:O} is not after {before.NotAfter:O}");
        Assert.NotEqual(keyBefore, File.ReadAllText(device.Pki("node.key")));
        Assert.NotEqual(KeyHash(before), KeyHash(after));
        Assert.False(File.Exists(device.Pki("node.key.next")));
        await AssertAuthenticatesAsync(second, after);
        var node = await GetNodeAsync(second, "renewing");
        Assert.Equal(KeyHash(after), (string?)node!["metadata"]!["annotations"]!["edge.io/node-key-sha256"]);
        before.Dispose();
    }

    [Fact]
    public async Task JoinEndpoint_BadInput_ClearStatusAndNoNode()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var token = await ServerCommandAsync(server, "token");
        var credential = token[(token.IndexOf("::", StringComparison.Ordinal) + 2)..];
        using var anonymous = server.CreateClient();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherCsr = new CertificateRequest("O=system:nodes, CN=system:node:someone-else", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        async Task<(HttpStatusCode Code, string Body)> PostAsync(string path, string body, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (bearer is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            }

            using var response = await anonymous.SendAsync(request);
            var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("Status", (string?)status["kind"]);
            return (response.StatusCode, (string?)status["message"] ?? "");
        }

        var garbage = await PostAsync("/v1-edge/join", """{"nodeName":"n","csr":"garbage"}""", credential);
        var otherName = await PostAsync("/v1-edge/join", new JsonObject { ["nodeName"] = "n", ["csr"] = otherCsr }.ToJsonString(), credential);
        var notJson = await PostAsync("/v1-edge/join", "{", credential);
        var wrongToken = await PostAsync("/v1-edge/join", """{"nodeName":"n","csr":"x"}""", "server.wrong");
        var noToken = await PostAsync("/v1-edge/join", """{"nodeName":"n","csr":"x"}""", null);
        var renewAnonymous = await PostAsync("/v1-edge/renew", """{"csr":"x"}""", null);
        var caCerts = await anonymous.GetStringAsync("/cacerts");

        Assert.Equal(HttpStatusCode.BadRequest, garbage.Code);
        Assert.Contains("csr is not a valid PEM PKCS#10", garbage.Body);
        Assert.Equal(HttpStatusCode.BadRequest, otherName.Code);
        Assert.Contains("must ask for 'CN=system:node:n, O=system:nodes'", otherName.Body);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.Code);
        Assert.Contains("invalid or expired token", wrongToken.Body);
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, renewAnonymous.Code);
        Assert.Equal(File.ReadAllText(server.CaFile), caCerts);
        Assert.Null(await GetNodeAsync(server, "n"));

        var malformed = await Run.Async(Binaries.Agent(), ["join", $"https://127.0.0.1:{server.Port}", "--token", "E10abc::x.y"]);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("64 lower-case hex", malformed.Stderr);
    }

    [Fact]
    public async Task Join_ServerUnreachable_SaysSoAndWritesNothing()
    {
        var device = NewDevice("lonely");
        var token = "E10" + new string('a', 64) + "::server.secret";

        var result = await Run.Async(Binaries.Agent(), [
            "join", $"https://127.0.0.1:{FreePort.Next()}", "--token", token, "--node-name", "lonely",
            "--data-dir", device.DataDir, "--config", device.ConfigPath]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("edge-agent: cannot reach https://127.0.0.1:", Assert.Single(result.ErrorLines));
        AssertNothingWritten(device);
    }
}
