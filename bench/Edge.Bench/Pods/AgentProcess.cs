using System.Diagnostics;
using Edge.Bench.Api;

namespace Edge.Bench.Pods;

/// <summary>
/// The published edge-agent joined to the benchmark's server, with its own data dir, pod log dir,
/// CNI bridge and (empty) static pod dir. Stopped by its PID with SIGTERM; whatever outlives it and
/// names its data dir (shims of pods a failed run left) is killed by PID, and the bridge removed.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AgentProcess(Process process, string dataDir, string bridge)
    {
        _process = process;
        DataDir = dataDir;
        Bridge = bridge;
    }

    public string DataDir { get; }

    public string Bridge { get; }

    public int Pid => _process.Id;

    public string ContainerdSocket => Path.Combine(DataDir, "containerd", "containerd.sock");

    /// <summary>containerd's PID as the agent recorded it.</summary>
    public int ContainerdPid => int.Parse(File.ReadAllText(Path.Combine(DataDir, "containerd", "containerd.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<AgentProcess> StartAsync(string binary, EdgeServerProcess server, string serverBinary, string dir, string nodeName)
    {
        var dataDir = Path.Combine(dir, "agent");
        var config = Path.Combine(dir, "agent.yaml");
        var token = (await RunAsync(serverBinary, "token", "--data-dir", server.DataDir)).Trim();
        await RunAsync(binary, "join", $"https://127.0.0.1:{server.Port}", "--token", token, "--node-name", nodeName, "--data-dir", dataDir, "--config", config);
        var images = Path.Combine(dataDir, "images");
        Directory.CreateDirectory(images);
        Edge.E2E.Tests.Infrastructure.TestImages.WriteBusybox(Path.Combine(images, "busybox.tar"));
        var manifests = Path.Combine(dir, "manifests");
        Directory.CreateDirectory(manifests);
        var bridge = "edgb" + Guid.NewGuid().ToString("N")[..8];
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var arg in new[] { "run", "--config", config, "--pod-log-dir", Path.Combine(dir, "pod-logs"), "--cni-bridge", bridge, "--pod-manifest-path", manifests })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AgentProcess(process, dataDir, bridge);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Edge.Native.Signals.Send(_process.Id, Edge.Native.Signals.SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var p) ? p : 0).Where(p => p > 0 && p != Environment.ProcessId))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/cmdline").Contains(DataDir, StringComparison.Ordinal))
                {
                    using var leftover = Process.GetProcessById(pid);
                    leftover.Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }

        await RunAsync("ip", "link", "del", Bridge).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 || file == "ip" ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {errors}");
    }
}
