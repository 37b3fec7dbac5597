using System.Diagnostics;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>The outcome of a finished command.</summary>
public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stderr lines, without blank ones.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs a command to completion with a deadline; kills it (by PID) if it overstays.</summary>
public static class Run
{
    public static async Task<RunResult> Async(string file, IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Isolate(start.Environment);
        foreach (var (key, value) in env ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }

        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Keeps the developer's own EDGE_* settings and /etc/edge/config.yaml out of the test: every
    /// process the tests start sees an empty config unless the test gives one.
    /// </summary>
    public static void Isolate(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.Where(k => k.StartsWith("EDGE_", StringComparison.Ordinal)).ToList())
        {
            environment.Remove(key);
        }

        environment["EDGE_CONFIG_FILE"] = "/dev/null";
        environment["EDGE_AGENT_CONFIG_FILE"] = "/dev/null";
    }
}
