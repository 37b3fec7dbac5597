using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Bench.Store;

namespace Edge.Bench.Api;

/// <summary>
/// The published edge-server on a free loopback port with its own data dir; killed by its PID,
/// never by name (its data dir is thrown away, so a clean shutdown buys nothing).
/// </summary>
public sealed class EdgeServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private EdgeServerProcess(Process process, string dataDir, string kubeconfig, int port)
    {
        _process = process;
        DataDir = dataDir;
        Kubeconfig = kubeconfig;
        Port = port;
    }

    /// <summary>Set by <c>--server-log PATH</c>: every line the server writes, timestamped, to set beside the bench's own.</summary>
    public static string? LogFile { get; set; }

    public string DataDir { get; }

    public string Kubeconfig { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public string CaFile => Path.Combine(DataDir, "tls", "server-ca.crt");

    public long ResidentBytes => ProcStats.ResidentBytes(Pid);

    /// <summary>Bytes of every file under the data dir.</summary>
    public long DataDirBytes => new DirectoryInfo(DataDir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    public static async Task<EdgeServerProcess> StartAsync(string binary, string dataDir, string kubeconfig, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            "server", "--data-dir", dataDir, "--https-listen-port", port.ToString(CultureInfo.InvariantCulture),
            "--bind-address", "127.0.0.1", "--write-kubeconfig", kubeconfig, .. extraArgs,
        ];
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("EDGE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["EDGE_CONFIG_FILE"] = "/dev/null";
        var process = Process.Start(start)!;
        var server = new EdgeServerProcess(process, dataDir, kubeconfig, port);
        var log = LogFile is null ? null : new StreamWriter(LogFile, append: true) { AutoFlush = true };
        void Keep(string? line)
        {
            if (log is not null && line is not null)
            {
                lock (log)
                {
                    log.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
                }
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            Keep(e.Data);
            server.LastError = e.Data ?? server.LastError;
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The last line the server wrote to stderr, for a failure message.</summary>
    public string? LastError { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"edge-server exited with {_process.ExitCode} before it was ready: {LastError}");
            }

            if (File.Exists(Kubeconfig) && File.Exists(CaFile))
            {
                try
                {
                    using var client = AdminClient.Create(this, http2: false);
                    using var response = await client.GetAsync("/readyz", cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
            }

            await Task.Delay(20, cancellationToken);
        }

        throw new TimeoutException($"edge-server was not ready in 30 s: {LastError}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
