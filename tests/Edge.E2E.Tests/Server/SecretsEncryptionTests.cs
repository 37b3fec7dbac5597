using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// <c>--secrets-encryption</c> as an operator meets it: no Secret value in plaintext anywhere under
/// the data dir, key rotation and restarts keep Secrets readable, turning it on later encrypts
/// what is there.
/// </summary>
public sealed class SecretsEncryptionTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly Kubectl _kubectl;

    public SecretsEncryptionTests() => _kubectl = new Kubectl("1.33", _temp["kube-cache"]);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Enabled_NoPlaintextUnderDataDir_RotationAndRestartKeepSecretsReadable()
    {
        var marker = "mk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var stringDataMarker = "sd" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var port = FreePort.Next();
        string dataDir;
        await using (var server = await ServerProcess.StartAsync(_temp, port: port, extraArgs: ["--secrets-encryption"]))
        {
            dataDir = server.DataDir;
            Ok(await _kubectl.RunAsync(server.Kubeconfig, "create", "secret", "generic", "db", "--from-literal=password=" + marker));
            File.WriteAllText(_temp["secret.yaml"], $"""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: api
                stringData:
                  token: {stringDataMarker}
                """);
            Ok(await _kubectl.RunAsync(server.Kubeconfig, "apply", "-f", _temp["secret.yaml"]));
            Ok(await Run.Async(Binaries.Server(), ["snapshot", "save", Path.Combine(dataDir, "backup.snap"), "--data-dir", dataDir]));

            AssertNowhereUnder(dataDir, marker, stringDataMarker);

            var rotate = Ok(await EdgeServer(server, "rotate-keys"));
            var status = Ok(await EdgeServer(server, "status"));
            Assert.Contains("Rotated to key aesgcm-", rotate.Stdout);
            Assert.Contains("Encryption: enabled (AES-GCM)", status.Stdout);
            Assert.Contains("Secrets: 2 encrypted, 0 plaintext", status.Stdout);
            Assert.Matches(@"aesgcm-\S+ \(active\): 2 secrets", status.Stdout);
            Assert.Equal(0, await server.StopAsync());
        }

        AssertNowhereUnder(dataDir, marker, stringDataMarker);
        await using var restarted = await ServerProcess.StartAsync(_temp, port: port, extraArgs: ["--secrets-encryption"]);
        var password = Ok(await _kubectl.RunAsync(restarted.Kubeconfig, "get", "secret", "db", "-o", "jsonpath={.data.password}"));
        var token = Ok(await _kubectl.RunAsync(restarted.Kubeconfig, "get", "secret", "api", "-o", "jsonpath={.data.token}"));
        Assert.Equal(marker, Encoding.UTF8.GetString(Convert.FromBase64String(password.Stdout)));
        Assert.Equal(stringDataMarker, Encoding.UTF8.GetString(Convert.FromBase64String(token.Stdout)));
    }

    [Fact]
    public async Task TurnedOnLater_EncryptsWhatIsThere()
    {
        var marker = "late" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var port = FreePort.Next();
        await using (var plain = await ServerProcess.StartAsync(_temp, port: port))
        {
            Ok(await _kubectl.RunAsync(plain.Kubeconfig, "create", "secret", "generic", "old", "--from-literal=k=" + marker));
            var off = Ok(await EdgeServer(plain, "status"));
            Assert.Contains("Encryption: disabled", off.Stdout);
            Assert.Contains("0 encrypted, 1 plaintext", off.Stdout);
            Assert.Equal(0, await plain.StopAsync());
            Assert.NotEmpty(FilesHolding(plain.DataDir, marker)); // what the encrypted start must get rid of
        }

        await using var encrypted = await ServerProcess.StartAsync(_temp, port: port, extraArgs: ["--secrets-encryption"]);
        var status = Ok(await EdgeServer(encrypted, "status"));
        Assert.Contains("Secrets: 1 encrypted, 0 plaintext", status.Stdout);
        var read = Ok(await _kubectl.RunAsync(encrypted.Kubeconfig, "get", "secret", "old", "-o", "jsonpath={.data.k}"));
        Assert.Equal(marker, Encoding.UTF8.GetString(Convert.FromBase64String(read.Stdout)));

        // The plaintext copies went with the history: compaction, then the embedded engine's snapshot drops the old WAL.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (FilesHolding(encrypted.DataDir, marker).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        AssertNowhereUnder(encrypted.DataDir, marker);
    }

    [Fact]
    public async Task Endpoint_RefusesAnonymousAndNonAdminCertificates()
    {
        await using var server = await ServerProcess.StartAsync(_temp, extraArgs: ["--secrets-encryption"]);
        using var anonymous = server.CreateClient();
        using var developer = server.CreateClient(IssueClient(server.DataDir, "alice", "developers"));

        var none = await anonymous.GetAsync("/v1-edge/secrets-encryption");
        var forbidden = await developer.PostAsync("/v1-edge/secrets-encryption/rotate-keys", null);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("system:masters", await forbidden.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cli_WithoutRunningServer_ReadableErrorAndNonZeroExit()
    {
        var dataDir = _temp["stopped-data"];
        await using (var server = await ServerProcess.StartAsync(_temp, "stopped"))
        {
            Assert.Equal(0, await server.StopAsync());
        }

        var port = FreePort.Next().ToString();
        var status = await Run.Async(Binaries.Server(), ["secrets-encrypt", "status", "--data-dir", dataDir, "--https-listen-port", port, "--bind-address", "127.0.0.1"]);
        var neverStarted = await Run.Async(Binaries.Server(), ["secrets-encrypt", "rotate-keys", "--data-dir", _temp["nothing"]]);

        Assert.Equal(1, status.ExitCode);
        Assert.StartsWith($"edge-server: cannot reach edge-server at https://127.0.0.1:{port} (is it running?)", Assert.Single(status.ErrorLines));
        Assert.Equal(1, neverStarted.ExitCode);
        Assert.Contains("has no cluster CA yet", Assert.Single(neverStarted.ErrorLines));
    }

    private static Task<RunResult> EdgeServer(ServerProcess server, string command) =>
        Run.Async(Binaries.Server(), ["secrets-encrypt", command, "--data-dir", server.DataDir, "--https-listen-port", server.Port.ToString(), "--bind-address", "127.0.0.1"]);

    private static RunResult Ok(RunResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Every file under the data dir, as raw bytes: neither a marker nor its base64 may appear.</summary>
    private static void AssertNowhereUnder(string dataDir, params string[] markers)
    {
        foreach (var marker in markers)
        {
            Assert.Empty(FilesHolding(dataDir, marker));
        }
    }

    private static IEnumerable<string> FilesHolding(string dataDir, string marker)
    {
        var needles = new[] { Encoding.UTF8.GetBytes(marker), Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(marker))) };
        foreach (var file in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                if (new FileInfo(file).Length == 0)
                {
                    continue; // nothing to find, and the store's lock file cannot even be opened while the server holds it
                }

                bytes = File.ReadAllBytes(file);
            }
            catch (FileNotFoundException)
            {
                continue; // replaced by the server while we looked (a snapshot's temp file)
            }

            if (needles.Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                yield return file;
            }
        }
    }

    /// <summary>A client certificate of the cluster's own CA, for a user outside <c>system:masters</c>.</summary>
    private static X509Certificate2 IssueClient(string dataDir, string user, string group)
    {
        using var authority = X509Certificate2.CreateFromPemFile(Path.Combine(dataDir, "tls", "server-ca.crt"), Path.Combine(dataDir, "tls", "server-ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={user}, O={group}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        // SslStream wants a certificate whose key it can export on Linux: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }
}
