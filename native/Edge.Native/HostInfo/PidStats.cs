namespace Edge.Native.HostInfo;

/// <summary>
/// Process IDs in use against the most the kernel hands out, measured as kubelet's
/// <c>pid.available</c> is: the limit is the smaller of <c>kernel.pid_max</c> and
/// <c>kernel.threads-max</c> (every thread takes a PID), the use is the scheduling entities
/// (threads) <c>/proc/loadavg</c> counts after the slash.
/// </summary>
public sealed record PidStats(long InUse, long Max)
{
    public long Available => Math.Max(0, Max - InUse);

    /// <summary>Null when any of the three files is missing or does not parse.</summary>
    public static PidStats? Read(string root)
    {
        var pidMax = ReadLong(Path.Combine(root, "proc/sys/kernel/pid_max"));
        var threadsMax = ReadLong(Path.Combine(root, "proc/sys/kernel/threads-max"));
        var inUse = Entities(Path.Combine(root, "proc/loadavg"));
        if (pidMax is not { } p || inUse is not { } used)
        {
            return null;
        }

        return new PidStats(used, threadsMax is { } t ? Math.Min(p, t) : p);
    }

    private static long? ReadLong(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), out var value) ? value : null;

    /// <summary><c>0.52 0.58 0.59 3/1163 42117</c>: the total after the slash in the fourth field.</summary>
    private static long? Entities(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var slash = fields.Length > 3 ? fields[3].IndexOf('/') : -1;
        return slash > 0 && long.TryParse(fields[3][(slash + 1)..], out var total) ? total : null;
    }
}
