using System.Diagnostics;
using System.Globalization;

namespace Edge.Bench.Startup;

/// <summary>A server process under measurement: started, polled until ready, stopped by PID.</summary>
public sealed class Target(string binary, string[] args, Uri readyUrl) : IAsyncDisposable
{
    private Process? _process;

    public async Task<TimeSpan> StartAndWaitReadyAsync()
    {
        // The harness only asks "is it up?" on loopback, so it accepts the server's certificate.
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            PooledConnectionLifetime = TimeSpan.Zero,
        })
        { Timeout = TimeSpan.FromSeconds(2) };

        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["EDGE_CONFIG_FILE"] = "/dev/null";
        var clock = Stopwatch.StartNew();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var response = await client.GetAsync(readyUrl);
                if (response.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{binary} exited with {_process.ExitCode}");
            }

            await Task.Delay(2);
        }

        throw new TimeoutException($"{binary} was not ready in 30 s");
    }

    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process!.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
