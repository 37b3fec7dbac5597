using System.Diagnostics;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>The published server on an external etcd (the HA datastore), as k3s users run it.</summary>
public sealed class EtcdDatastoreTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Server_WithDatastoreEndpoint_UsesEtcdAndAnswersKubectl()
    {
        var clientPort = FreePort.Next();
        var peerPort = FreePort.Next();
        using var etcd = Process.Start(new ProcessStartInfo("/usr/bin/etcd")
        {
            ArgumentList =
            {
                "--data-dir", _temp["etcd"], "--name", "e2e",
                "--listen-client-urls", $"http://127.0.0.1:{clientPort}", "--advertise-client-urls", $"http://127.0.0.1:{clientPort}",
                "--listen-peer-urls", $"http://127.0.0.1:{peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPort}",
                "--initial-cluster", $"e2e=http://127.0.0.1:{peerPort}", "--log-level", "error",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            etcd.BeginOutputReadLine();
            etcd.BeginErrorReadLine();
            await WaitHealthyAsync($"http://127.0.0.1:{clientPort}/health");

            await using var server = await ServerProcess.StartAsync(_temp, extraArgs: ["--datastore-endpoint", $"http://127.0.0.1:{clientPort}"]);
            var readyz = await new Kubectl("1.33", _temp["kube-cache"]).RunAsync(server.Kubeconfig, "get", "--raw", "/readyz");

            Assert.True(readyz.ExitCode == 0, readyz.ToString());
            Assert.Contains("datastore etcd", server.Output);
            Assert.False(Directory.Exists(Path.Combine(server.DataDir, "db")), "the embedded store was opened too");
        }
        finally
        {
            etcd.Kill();
            await etcd.WaitForExitAsync();
        }
    }

    private static async Task WaitHealthyAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetStringAsync(url)).Contains("true"))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("etcd did not become healthy");
    }

    [Fact]
    public async Task Server_WithUnreachableDatastore_RefusesToStartNamingIt()
    {
        var deadPort = FreePort.Next();

        var result = await Run.Async(Binaries.Server(),
            ["--data-dir", _temp["data"], "--write-kubeconfig", _temp["k.yaml"], "--bind-address", "127.0.0.1", "--https-listen-port", FreePort.Next().ToString(),
             "--datastore-endpoint", $"http://127.0.0.1:{deadPort}"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"edge-server: cannot reach the datastore", result.Stderr);
        Assert.Contains($"127.0.0.1:{deadPort}", result.Stderr);
    }
}
