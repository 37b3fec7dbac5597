using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Edge.Bench.Store;

/// <summary>A real etcd on loopback ports in its own data dir; stopped by PID.</summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;

    private EtcdProcess(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public int Pid => _process.Id;

    public static async Task<EtcdProcess> StartAsync(string dataDir)
    {
        var client = FreePort();
        var peer = FreePort();
        var start = new ProcessStartInfo("/usr/bin/etcd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "--data-dir", dataDir, "--name", "bench",
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"bench=http://127.0.0.1:{peer}", "--log-level", "error",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var etcd = new EtcdProcess(process, $"http://127.0.0.1:{client}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if ((await http.GetStringAsync($"{etcd.Endpoint}/health")).Contains("true", StringComparison.Ordinal))
                {
                    return etcd;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(50);
        }

        await etcd.DisposeAsync();
        throw new InvalidOperationException("etcd did not become healthy");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
