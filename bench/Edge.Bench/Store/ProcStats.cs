using System.Globalization;

namespace Edge.Bench.Store;

/// <summary>Per-process counters from /proc.</summary>
public static class ProcStats
{
    /// <summary>Bytes the process caused to be sent to the storage layer (<c>write_bytes</c> of /proc/PID/io).</summary>
    public static long DiskWriteBytes(int pid) => Field($"/proc/{pid}/io", "write_bytes:");

    /// <summary>Resident memory (<c>VmRSS</c>), bytes.</summary>
    public static long ResidentBytes(int pid) => Field($"/proc/{pid}/status", "VmRSS:") * 1024;

    private static long Field(string path, string name)
    {
        var line = File.ReadLines(path).First(l => l.StartsWith(name, StringComparison.Ordinal));
        return long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
