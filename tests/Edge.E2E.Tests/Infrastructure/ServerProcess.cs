using System.Diagnostics;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>
/// One real edge-server process on a free loopback port with its own data dir and kubeconfig.
/// Disposing stops it by its PID (SIGTERM, then SIGKILL) and never touches other processes.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string dataDir, string kubeconfig, int port)
    {
        _process = process;
        DataDir = dataDir;
        Kubeconfig = kubeconfig;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDir { get; }

    public string Kubeconfig { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public string CaFile => Path.Combine(DataDir, "tls", "server-ca.crt");

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

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the server and waits until <c>/readyz</c> answers 200.</summary>
    public static Task<ServerProcess> StartAsync(TempDir temp, string name = "server", int? port = null, params string[] extraArgs) =>
        StartAsync(temp, "linux-x64", name, port, extraArgs);

    /// <summary>Starts the server of <paramref name="rid"/>; linux-arm64 runs under qemu user emulation.</summary>
    public static async Task<ServerProcess> StartAsync(TempDir temp, string rid, string name, int? port, params string[] extraArgs)
    {
        var dataDir = temp[name + "-data"];
        var kubeconfig = temp[name + "-kubeconfig.yaml"];
        var chosenPort = port ?? FreePort.Next();
        var emulated = rid == "linux-arm64";
        var start = new ProcessStartInfo(emulated ? "/usr/bin/qemu-aarch64-static" : Binaries.Server(rid))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = temp.Path,
        };
        if (emulated)
        {
            start.ArgumentList.Add("-L");
            start.ArgumentList.Add("/usr/aarch64-linux-gnu");
            start.ArgumentList.Add(Binaries.Server(rid));
        }

        foreach (var arg in new[] { "server", "--data-dir", dataDir, "--https-listen-port", chosenPort.ToString(), "--bind-address", "127.0.0.1", "--write-kubeconfig", kubeconfig }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        Run.Isolate(start.Environment);
        var server = new ServerProcess(Process.Start(start)!, dataDir, kubeconfig, chosenPort);
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(emulated ? 60 : 20));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An HTTPS client as the admin (the client certificate the server wrote), with a 30 s timeout.</summary>
    public HttpClient CreateAdminClient()
    {
        var certificate = X509Certificate2.CreateFromPemFile(
            Path.Combine(DataDir, "tls", "client-admin.crt"), Path.Combine(DataDir, "tls", "client-admin.key"));
        var client = CreateClient(certificate);
        client.Timeout = TimeSpan.FromSeconds(30);
        return client;
    }

    /// <summary>An HTTPS client that trusts only this server's CA, optionally presenting a client certificate.</summary>
    public HttpClient CreateClient(X509Certificate2? clientCertificate = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SIGTERM);
        }

        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await StopAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"edge-server exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            if (File.Exists(CaFile))
            {
                try
                {
                    using var client = CreateClient();
                    using var response = await client.GetAsync("/readyz");
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

            await Task.Delay(20);
        }

        throw new TimeoutException($"edge-server was not ready after {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
