using System.Net;
using System.Net.Sockets;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Mistakes an operator makes: each must give one line naming the problem, a non-zero exit,
/// and leave nothing half-written (no data dir, no kubeconfig).
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    private string DataDir => _temp["data"];

    private string KubeconfigPath => _temp["kubeconfig.yaml"];

    private Task<RunResult> StartServer(params string[] args) =>
        Run.Async(Binaries.Server(), ["--data-dir", DataDir, "--write-kubeconfig", KubeconfigPath, "--bind-address", "127.0.0.1", .. args], timeout: TimeSpan.FromSeconds(20));

    private string WriteConfig(string yaml)
    {
        File.WriteAllText(_temp["config.yaml"], yaml);
        return _temp["config.yaml"];
    }

    private void AssertRefused(RunResult result, int exitCode, params string[] mentions)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("edge-server: ", line);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, line);
        }

        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(DataDir), "the data dir was created");
        Assert.False(File.Exists(KubeconfigPath), "a kubeconfig was written");
    }

    [Fact]
    public async Task UnknownFlag_Refused()
    {
        AssertRefused(await StartServer("--no-such-flag", "1"), 2, "unknown flag '--no-such-flag'");
    }

    [Fact]
    public async Task BadFlagValue_Refused()
    {
        AssertRefused(await StartServer("--https-listen-port", "99999"), 2, "--https-listen-port", "'99999' is not a port number");
    }

    [Fact]
    public async Task MalformedConfigFile_Refused()
    {
        var config = WriteConfig("https-listen-port: [6443\n");

        AssertRefused(await StartServer("--config", config), 2, config, "malformed YAML");
    }

    [Fact]
    public async Task ConfigFileWithUnknownKey_RefusedNamingKeyAndLine()
    {
        var config = WriteConfig("data-dir: /tmp/x\nhttps-listen-prot: 7443\n");

        AssertRefused(await StartServer("--config", config), 2, $"{config}:2", "unknown key 'https-listen-prot'");
    }

    [Fact]
    public async Task ConfigFileWithBadValue_RefusedNamingKeyAndReason()
    {
        var config = WriteConfig("https-listen-port: many\n");

        AssertRefused(await StartServer("--config", config), 2, "key 'https-listen-port'", "'many' is not a whole number");
    }

    [Fact]
    public async Task UnreadableConfigFile_Refused()
    {
        var directoryAsConfig = _temp["config.d"];
        Directory.CreateDirectory(directoryAsConfig);

        AssertRefused(await StartServer("--config", directoryAsConfig), 2, $"cannot read config file {directoryAsConfig}: is a directory");
    }

    [Fact]
    public async Task MissingConfigFile_Refused()
    {
        AssertRefused(await StartServer("--config", _temp["absent.yaml"]), 2, "absent.yaml", "no such file");
    }

    [Fact]
    public async Task PortInUse_Refused()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        AssertRefused(await StartServer("--https-listen-port", port.ToString()), 1, $"port {port} is already in use");
    }

    [Fact]
    public async Task UnwritableDataDir_Refused()
    {
        // Root may write anywhere, so make the data dir impossible instead: its parent is a file.
        File.WriteAllText(_temp["plain-file"], "");
        var impossible = Path.Combine(_temp["plain-file"], "data");

        var result = await Run.Async(Binaries.Server(), ["--data-dir", impossible, "--write-kubeconfig", KubeconfigPath, "--bind-address", "127.0.0.1", "--https-listen-port", FreePort.Next().ToString()]);

        AssertRefused(result, 1, $"cannot use data dir {impossible}: {_temp["plain-file"]} is a file, not a directory");
    }

    [Fact]
    public async Task UnwritableKubeconfig_RefusedNamingThePath()
    {
        File.WriteAllText(_temp["plain-file"], "");
        var impossible = Path.Combine(_temp["plain-file"], "edge.yaml");

        var result = await Run.Async(Binaries.Server(), ["--data-dir", DataDir, "--write-kubeconfig", impossible, "--bind-address", "127.0.0.1", "--https-listen-port", FreePort.Next().ToString()]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"edge-server: cannot write kubeconfig {impossible}", Assert.Single(result.ErrorLines, l => l.StartsWith("edge-server:")));
    }

    [Fact]
    public async Task GarbageCertificateInDataDir_RefusedNamingTheFile()
    {
        var port = FreePort.Next();
        await using (var server = await ServerProcess.StartAsync(_temp, port: port))
        {
            await server.StopAsync();
            File.WriteAllText(Path.Combine(server.DataDir, "tls", "serving.crt"), "garbage");
        }

        var result = await Run.Async(Binaries.Server(), ["--data-dir", _temp["server-data"], "--write-kubeconfig", _temp["k2.yaml"], "--bind-address", "127.0.0.1", "--https-listen-port", port.ToString()]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("serving.crt", Assert.Single(result.ErrorLines, l => l.StartsWith("edge-server:")));
    }

    [Fact]
    public async Task UnknownCommand_Refused()
    {
        var result = await Run.Async(Binaries.Server(), ["frobnicate"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("edge-server: unknown command 'frobnicate' (one of: server, token, kubeconfig, snapshot, secrets-encrypt, version)", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task TokenBeforeFirstStart_SaysToStartFirst()
    {
        var result = await Run.Async(Binaries.Server(), ["token", "--data-dir", DataDir]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no server token yet", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(DataDir));
    }
}
