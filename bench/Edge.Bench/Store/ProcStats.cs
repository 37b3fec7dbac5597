using System.Globalization;

namespace Edge.Bench.Store;

/// <summary>Per-process counters from /proc.</summary>
public static class ProcStats
{
    /// <summary>Bytes the process caused to be sent to the storage layer (<c>write_bytes</c> of /proc/PID/io).</summary>
    public static long DiskWriteBytes(int pid) => Field($"/proc/{pid}/io", "write_bytes:");

    /// <summary>Resident memory (<c>VmRSS</c>), bytes.</summary>
    public static long ResidentBytes(int pid) => Field($"/proc/{pid}/status", "VmRSS:") * 1024;

    /// <summary>CPU time the process has used, user and system (<c>utime</c> + <c>stime</c> of /proc/PID/stat).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private static long Field(string path, string name)
    {
        var line = File.ReadLines(path).First(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
