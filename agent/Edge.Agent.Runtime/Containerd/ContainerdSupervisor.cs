using System.Diagnostics;
using Edge.Agent.Runtime.Cri;
using Edge.Native;

namespace Edge.Agent.Runtime.Containerd;

/// <summary>
/// Runs the agent's own containerd: writes its config, starts it, waits for CRI to answer, restarts
/// it with back-off when it dies, and stops it (SIGTERM, then SIGKILL) when the agent stops.
/// Containers survive all of this: their shims are not children of containerd's process.
/// A containerd left behind by a killed agent is found through the PID file and replaced.
/// </summary>
public sealed class ContainerdSupervisor(ContainerdConfig config, string containerdBinary, IRuntimeLog log) : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop = new();
    private Process? _process;
    private Task? _watch;

    public ContainerdPaths Paths => config.Paths;

    /// <summary>Starts containerd and returns once its CRI answers <c>Version</c>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(containerdBinary))
        {
            throw new RuntimeUnavailableException($"containerd is not installed at {containerdBinary} (Debian: apt install containerd runc containernetworking-plugins), or give --container-runtime-endpoint");
        }

        Directory.CreateDirectory(Paths.Directory);
        Directory.CreateDirectory(Paths.Root);
        Directory.CreateDirectory(Paths.State);
        Directory.CreateDirectory(Paths.RegistryConfigDir);
        AtomicFile.WriteText(Paths.ConfigFile, config.Render(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        StopLeftover();
        await LaunchAsync(cancellationToken);
        _watch = WatchAsync(_stop.Token);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        File.Delete(Paths.Socket);
        var start = new ProcessStartInfo(containerdBinary)
        {
            ArgumentList = { "--config", Paths.ConfigFile },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Paths.Directory,
        };
        var process = Process.Start(start) ?? throw new RuntimeUnavailableException($"could not start {containerdBinary}");
        _process = process;
        File.WriteAllText(Paths.PidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var logFile = new StreamWriter(new FileStream(Paths.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var copying = Task.WhenAll(CopyLinesAsync(process.StandardOutput, logFile), CopyLinesAsync(process.StandardError, logFile))
            .ContinueWith(_ => logFile.Dispose(), TaskScheduler.Default);

        using var cri = new CriClient(Paths.Socket);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await copying;
                throw new RuntimeUnavailableException($"containerd exited with code {process.ExitCode} while starting; last lines of {Paths.LogFile}: {LastLines(Paths.LogFile, 3)}");
            }

            if (File.Exists(Paths.Socket))
            {
                try
                {
                    var version = await cri.VersionAsync(cancellationToken);
                    log.Info($"containerd {version.RuntimeVersion} (pid {process.Id}) answers CRI {version.RuntimeApiVersion} on {Paths.Socket} after {deadline.ElapsedMilliseconds} ms");
                    return;
                }
                catch (CriException)
                {
                    // Socket there, CRI plugin still loading.
                }
            }

            if (deadline.Elapsed > ReadyTimeout)
            {
                Terminate(process);
                throw new RuntimeUnavailableException($"containerd did not answer CRI within {ReadyTimeout.TotalSeconds:0} s; see {Paths.LogFile}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Restarts containerd when it dies, with back-off (1 s doubling to 30 s) while it keeps dying.</summary>
    private async Task WatchAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            var process = _process!;
            try
            {
                await process.WaitForExitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            log.Warn($"containerd (pid {process.Id}) exited with code {process.ExitCode}; restarting in {delay.TotalSeconds:0} s");
            try
            {
                await Task.Delay(delay, stop);
                await LaunchAsync(stop);
                delay = TimeSpan.FromSeconds(1);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RuntimeUnavailableException e)
            {
                log.Error(e.Message);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }

    /// <summary>A containerd of this data dir that a killed agent left running: stop it, by its recorded PID.</summary>
    private void StopLeftover()
    {
        if (!File.Exists(Paths.PidFile) || !int.TryParse(File.ReadAllText(Paths.PidFile).Trim(), out var pid) || pid <= 0)
        {
            return;
        }

        string commandLine;
        try
        {
            commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return;
        }

        if (!commandLine.Contains(Paths.ConfigFile, StringComparison.Ordinal))
        {
            return; // The PID was reused by something else.
        }

        log.Warn($"stopping containerd pid {pid} left running by an earlier edge-agent");
        using var process = Process.GetProcessById(pid);
        Terminate(process);
    }

    private static void Terminate(Process process)
    {
        try
        {
            if (!Signals.Send(process.Id, Signals.SIGTERM))
            {
                return;
            }

            if (!process.WaitForExit(StopTimeout))
            {
                Signals.Send(process.Id, Signals.SIGKILL);
                process.WaitForExit(StopTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task CopyLinesAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }

    private static string LastLines(string path, int count)
    {
        try
        {
            return string.Join(" | ", File.ReadLines(path).TakeLast(count));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                Terminate(process);
            }

            process.Dispose();
            File.Delete(Paths.PidFile);
        }

        _stop.Dispose();
    }
}

/// <summary>The container runtime cannot be started or reached; the node is not ready for pods.</summary>
public sealed class RuntimeUnavailableException(string message) : Exception(message);
