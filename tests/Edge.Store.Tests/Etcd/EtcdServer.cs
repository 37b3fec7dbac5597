using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;

namespace Edge.Store.Tests.Etcd;

/// <summary>
/// One real single-member etcd (<c>/usr/bin/etcd</c>) on free loopback ports with its own data
/// dir, plain or with mutual TLS. Disposing kills it by its PID (never by name) and deletes the dir.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/etcd";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EtcdServer(Process process, string directory, string endpoint, TestPki? pki)
    {
        _process = process;
        Directory = directory;
        Endpoint = endpoint;
        Pki = pki;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The client URL: <c>http://127.0.0.1:port</c>, or https:// with TLS.</summary>
    public string Endpoint { get; }

    /// <summary>The CA and certificates of a TLS server; null for a plain one.</summary>
    public TestPki? Pki { get; }

    public string Directory { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts etcd and waits until <c>/health</c> says it has a leader.</summary>
    public static async Task<EtcdServer> StartAsync(bool tls = false)
    {
        // A port found free can be taken before etcd binds it; a new pair of ports fixes that.
        for (var attempt = 1; ; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory("edge-etcd-").FullName;
            var server = Start(directory, tls ? TestPki.Create(directory) : null);
            try
            {
                await server.WaitHealthyAsync(TimeSpan.FromSeconds(20));
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static EtcdServer Start(string directory, TestPki? pki)
    {
        var client = $"{(pki is null ? "http" : "https")}://127.0.0.1:{FreePort()}";
        var peer = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        string[] args =
        [
            "--name", "edge-test",
            "--data-dir", Path.Combine(directory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"edge-test={peer}",
            "--initial-cluster-state", "new",
            // Short raft ticks: a single member elects itself in well under 100 ms.
            "--heartbeat-interval", "20",
            "--election-timeout", "100",
            "--logger", "zap",
            "--log-outputs", "stderr",
            "--log-level", "warn",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (pki is not null)
        {
            foreach (var arg in new[] { "--cert-file", pki.ServerCert, "--key-file", pki.ServerKey, "--trusted-ca-file", pki.CaCert, "--client-cert-auth" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        return new EtcdServer(Process.Start(start)!, directory, client, pki);
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient(Pki?.CreateHandler() ?? new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode} before it was healthy:\n{Output}");
            }

            try
            {
                var health = await client.GetStringAsync(Endpoint + "/health");
                if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"etcd was not healthy after {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>One etcd shared by the tests of a class (xunit runs them one after another).</summary>
public class EtcdFixture : IAsyncLifetime
{
    private EtcdServer? _server;

    public EtcdServer Server => _server ?? throw new InvalidOperationException("etcd not started");

    protected virtual bool Tls => false;

    public async Task InitializeAsync() => _server = await EtcdServer.StartAsync(Tls);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>One etcd with mutual TLS shared by the tests of a class.</summary>
public sealed class TlsEtcdFixture : EtcdFixture
{
    protected override bool Tls => true;
}
