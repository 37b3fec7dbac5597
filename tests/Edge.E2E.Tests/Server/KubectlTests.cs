using System.Net;
using System.Text.Json;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>A freshly installed server, used the way a person would: with the written kubeconfig and real kubectl.</summary>
public sealed class KubectlTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> KubectlVersions => new(Kubectl.Versions);

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task FreshServer_KubectlVersionAndReadyz_Succeed(string minor)
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        var kubectl = new Kubectl(minor, _temp["kube-cache"]);

        var version = await kubectl.RunAsync(server.Kubeconfig, "version", "-o", "json");
        var readyz = await kubectl.RunAsync(server.Kubeconfig, "get", "--raw", "/readyz");

        Assert.True(version.ExitCode == 0, version.ToString());
        using var json = JsonDocument.Parse(version.Stdout);
        var serverVersion = json.RootElement.GetProperty("serverVersion");
        Assert.StartsWith("v1.33.0+edge", serverVersion.GetProperty("gitVersion").GetString());
        Assert.Equal("1", serverVersion.GetProperty("major").GetString());
        Assert.Equal("33", serverVersion.GetProperty("minor").GetString());
        Assert.True(readyz.ExitCode == 0, readyz.ToString());
        Assert.Equal("ok", readyz.Stdout.Trim());
    }

    [Fact]
    public async Task FreshServer_KubeconfigIsOwnerOnlyAndTokenPrinted()
    {
        await using var server = await ServerProcess.StartAsync(_temp);

        var token = await Run.Async(Binaries.Server(), ["token", "--data-dir", server.DataDir]);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.Kubeconfig));
        Assert.Equal(0, token.ExitCode);
        Assert.Matches("^E10[0-9a-f]{64}::server\\.[0-9a-f]{32}$", token.Stdout.Trim());
        Assert.Equal(File.ReadAllText(Path.Combine(server.DataDir, "token")).Trim(), token.Stdout.Trim());
    }

    [Fact]
    public async Task KubeconfigCommand_PrintsAWorkingKubeconfig()
    {
        await using var server = await ServerProcess.StartAsync(_temp);

        var printed = await Run.Async(Binaries.Server(), ["kubeconfig", "--data-dir", server.DataDir, "--https-listen-port", server.Port.ToString()]);
        File.WriteAllText(_temp["printed.yaml"], printed.Stdout);
        var readyz = await new Kubectl("1.33", _temp["kube-cache"]).RunAsync(_temp["printed.yaml"], "get", "--raw", "/readyz");

        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.True(readyz.ExitCode == 0, readyz.ToString());
    }

    [Fact]
    public async Task UnknownPath_Returns404StatusThatKubectlPrints()
    {
        await using var server = await ServerProcess.StartAsync(_temp);

        var result = await new Kubectl("1.33", _temp["kube-cache"]).RunAsync(server.Kubeconfig, "get", "--raw", "/no/such/path");
        using var admin = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(server.DataDir, "tls", "client-admin.crt"), Path.Combine(server.DataDir, "tls", "client-admin.key"));
        using var client = server.CreateClient(admin);
        using var response = await client.GetAsync("/no/such/path");
        // Anonymous clients learn nothing about paths: 401 before any 404.
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/no/such/path")).StatusCode);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the server could not find the requested resource", result.Stderr);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
        Assert.Equal("NotFound", status.RootElement.GetProperty("reason").GetString());
        Assert.Equal(404, status.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task HealthEndpoints_AnswerAnonymouslyWithKubernetesShapes()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        using var client = server.CreateClient();

        foreach (var path in new[] { "/healthz", "/livez", "/readyz" })
        {
            Assert.Equal("ok", await client.GetStringAsync(path));
        }

        Assert.Equal("[+]ping ok\n[+]store ok\nreadyz check passed\n", await client.GetStringAsync("/readyz?verbose"));
        Assert.Equal("ok", await client.GetStringAsync("/livez/ping"));
        using var missing = await client.GetAsync("/readyz/nonexistent");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var version = await client.GetAsync("/version");
        Assert.Equal("application/json", version.Content.Headers.ContentType?.ToString());
    }
}
