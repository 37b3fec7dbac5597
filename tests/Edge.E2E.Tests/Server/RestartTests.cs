using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>The server is stopped and started again on the same data dir, as a reboot does.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Restart_ReusesCertificatesAndTheOldKubeconfigKeepsWorking()
    {
        var port = FreePort.Next();
        string caBefore, tokenBefore, keptKubeconfig = _temp["kept.yaml"];
        await using (var first = await ServerProcess.StartAsync(_temp, port: port))
        {
            caBefore = File.ReadAllText(first.CaFile);
            tokenBefore = File.ReadAllText(Path.Combine(first.DataDir, "token"));
            File.Copy(first.Kubeconfig, keptKubeconfig);
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await ServerProcess.StartAsync(_temp, port: port);

        Assert.Equal(caBefore, File.ReadAllText(second.CaFile));
        Assert.Equal(tokenBefore, File.ReadAllText(Path.Combine(second.DataDir, "token")));
        // The CA and the admin certificate are reused. The serving certificate may be re-issued:
        // it names every local address, and tests running beside this one add bridges to the host.
        Assert.DoesNotContain("created cluster CA", second.Output);
        Assert.DoesNotContain("issued admin client certificate", second.Output);
        foreach (var minor in Kubectl.Versions)
        {
            var kubectl = new Kubectl(minor, _temp["kube-cache-" + minor]);
            var version = await kubectl.RunAsync(keptKubeconfig, "version");
            var readyz = await kubectl.RunAsync(keptKubeconfig, "get", "--raw", "/readyz");
            Assert.True(version.ExitCode == 0, version.ToString());
            Assert.Contains("Server Version: ", version.Stdout);
            Assert.True(readyz.ExitCode == 0, readyz.ToString());
        }
    }

    [Fact]
    public async Task Sigterm_StopsWithExitZeroAndFreesThePort()
    {
        var port = FreePort.Next();
        await using (var server = await ServerProcess.StartAsync(_temp, port: port))
        {
            Assert.Equal(0, await server.StopAsync());
            Assert.Contains("shutting down", server.Output);
        }

        await using var again = await ServerProcess.StartAsync(_temp, name: "again", port: port);
        Assert.False(again.HasExited);
    }
}
