using System.Diagnostics;

namespace Edge.Agent.Runtime.Tests.Images;

/// <summary>
/// A containerd of the test's own: its root, state, socket and config in a temp dir, the CRI plugin's
/// registry config_path pointing at <see cref="CertsDir"/>. Disposing kills it by PID and removes its dirs.
/// </summary>
internal sealed class PrivateContainerd : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Process _process;

    private PrivateContainerd()
    {
        Directory.CreateDirectory(CertsDir);
        File.WriteAllText(_dir["config.toml"], $"""
            version = 2
            root = "{_dir["root"]}"
            state = "{_dir["state"]}"
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{_dir["opt"]}"
            [plugins."io.containerd.grpc.v1.cri"]
              restrict_oom_score_adj = true
              sandbox_image = "edge.local/pause:3.10"
              [plugins."io.containerd.grpc.v1.cri".registry]
                config_path = "{CertsDir}"
            """);
        var start = new ProcessStartInfo("containerd")
        {
            ArgumentList = { "--config", _dir["config.toml"], "--log-level", "info" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("containerd did not start");
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Socket => _dir["containerd.sock"];

    public string CertsDir => _dir["certs.d"];

    /// <summary>containerd's own log, for failure messages.</summary>
    public string Output { get; private set; } = "";

    public static async Task<PrivateContainerd> StartAsync()
    {
        var containerd = new PrivateContainerd();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                if (containerd._process.HasExited)
                {
                    throw new InvalidOperationException($"containerd exited with {containerd._process.ExitCode}:\n{containerd.Output}");
                }

                if (File.Exists(containerd.Socket) && (await containerd.CtrAsync("version")).ExitCode == 0)
                {
                    return containerd;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"containerd did not answer in 30 s:\n{containerd.Output}");
                }

                await Task.Delay(100);
            }
        }
        catch
        {
            containerd.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>ctr --address &lt;socket&gt; ARGS</c>.</summary>
    public async Task<(int ExitCode, string Output)> CtrAsync(params string[] args)
    {
        var start = new ProcessStartInfo("ctr")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--address");
        start.ArgumentList.Add(Socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ctr {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _dir.Dispose();
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_process)
            {
                Output += line + "\n";
            }
        }
    }
}
