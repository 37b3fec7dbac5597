namespace Edge.Native.HostInfo;

/// <summary>
/// Memory as eviction sees it. <see cref="AvailableBytes"/> is the kernel's <c>MemAvailable</c>: its
/// own estimate of what new work can get without swapping (free memory plus the page cache and
/// slab it can reclaim). kubelet's <c>memory.available</c> is capacity minus the root cgroup's
/// working set, which counts active file pages as used and so reads a little lower; we take
/// MemAvailable because it needs no cgroup (the cgroup v2 root has no <c>memory.current</c>) and
/// is what <c>free</c> shows the operator on the device.
/// </summary>
public sealed record MemoryStats(long TotalBytes, long AvailableBytes)
{
    /// <summary><c>/proc/meminfo</c>'s MemTotal and MemAvailable; null when either is missing (kernels before 3.14 lack MemAvailable).</summary>
    public static MemoryStats? Read(string root)
    {
        var path = Path.Combine(root, "proc/meminfo");
        if (!File.Exists(path))
        {
            return null;
        }

        long? total = null, available = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                total = Kibibytes(line["MemTotal:".Length..]);
            }
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                available = Kibibytes(line["MemAvailable:".Length..]);
            }
        }

        return total is { } t && available is { } a ? new MemoryStats(t * 1024, a * 1024) : null;
    }

    /// <summary>"   2000000 kB": the kernel's kB is KiB.</summary>
    private static long? Kibibytes(string value)
    {
        var text = value.Trim();
        var space = text.IndexOf(' ');
        return long.TryParse(space < 0 ? text : text[..space], out var ki) ? ki : null;
    }
}
