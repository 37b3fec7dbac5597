using System.Diagnostics;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>
/// A process whose stdout lines arrive while it runs (kubectl get -w). Disposing kills it by its
/// PID, never by name.
/// </summary>
public sealed class StreamingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];

    private StreamingProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(_lines, e.Data);
        process.ErrorDataReceived += (_, e) => Add(_errors, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static StreamingProcess Start(string file, IEnumerable<string> args, IDictionary<string, string?> env)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Run.Isolate(start.Environment);
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        return new StreamingProcess(Process.Start(start)!);
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to leave on its own (after a signal the test sent); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"process {_process.Id} did not exit within {timeout.TotalSeconds:0} s.\nstderr:\n{Errors}");
        }

        return _process.ExitCode;
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    /// <summary>Waits until some line satisfies the predicate; fails with everything seen so far.</summary>
    /// <summary>The <paramref name="occurrence"/>-th line (1 = the first) that matches, waiting for it to be printed.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan? timeout = null, int occurrence = 1)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.Where(predicate).Skip(occurrence - 1).FirstOrDefault() is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no matching line in time.\nstdout:\n{string.Join('\n', Lines)}\nstderr:\n{Errors}");
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }

    /// <summary>SIGTERM first, so a process that owns children (an agent and its containerd) can stop them; SIGKILL after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
