namespace Edge.Native.HostInfo;

/// <summary>What a kubelet reports about its machine: read from /proc, /sys and /etc.</summary>
public sealed record HostFacts(
    int Cpus,
    long MemoryKi,
    long EphemeralStorageKi,
    string KernelVersion,
    string OsImage,
    string MachineId,
    string BootId);

/// <summary>
/// Plain file readers over a root directory ("/" on a device) so that tests can feed them
/// recorded trees; nothing here needs a system call beyond reading files and statvfs (through
/// <see cref="DriveInfo"/>, which is AOT-clean and has one layout on every architecture).
/// </summary>
public static class HostInfoReader
{
    public static HostFacts Read(string root, string dataDir) => new(
        OnlineCpus(root),
        MemTotalKi(root),
        FileSystemSizeKi(dataDir),
        KernelVersion(root),
        OsImage(root),
        MachineId(root),
        BootId(root));

    /// <summary>
    /// Online CPUs: <c>/sys/devices/system/cpu/online</c> ("0-3,5") is exact when CPUs are
    /// hot-unplugged; <c>/proc/cpuinfo</c>'s processor lines are the fallback (containers without /sys).
    /// </summary>
    public static int OnlineCpus(string root)
    {
        var online = Combine(root, "sys/devices/system/cpu/online");
        if (File.Exists(online) && ParseCpuList(File.ReadAllText(online)) is > 0 and var count)
        {
            return count;
        }

        var cpuinfo = Combine(root, "proc/cpuinfo");
        if (File.Exists(cpuinfo))
        {
            var processors = File.ReadLines(cpuinfo).Count(l => l.StartsWith("processor", StringComparison.Ordinal) && l.Contains(':'));
            if (processors > 0)
            {
                return processors;
            }
        }

        return Environment.ProcessorCount;
    }

    /// <summary>Counts a kernel CPU list such as <c>0-3,6,8-9</c>; 0 when it cannot be read.</summary>
    public static int ParseCpuList(string text)
    {
        var count = 0;
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (!int.TryParse(part, out _))
                {
                    return 0;
                }

                count++;
            }
            else if (int.TryParse(part[..dash], out var from) && int.TryParse(part[(dash + 1)..], out var to) && to >= from)
            {
                count += to - from + 1;
            }
            else
            {
                return 0;
            }
        }

        return count;
    }

    /// <summary>MemTotal from <c>/proc/meminfo</c>, in KiB (the kernel's "kB" is KiB).</summary>
    public static long MemTotalKi(string root)
    {
        foreach (var line in File.ReadLines(Combine(root, "proc/meminfo")))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                var value = line["MemTotal:".Length..].Trim();
                var space = value.IndexOf(' ');
                if (long.TryParse(space < 0 ? value : value[..space], out var ki))
                {
                    return ki;
                }
            }
        }

        throw new IOException($"{Combine(root, "proc/meminfo")} has no MemTotal line");
    }

    /// <summary>Size of the file system holding <paramref name="path"/>, in KiB.</summary>
    public static long FileSystemSizeKi(string path) => new DriveInfo(path).TotalSize / 1024;

    public static string KernelVersion(string root) => ReadTrimmed(Combine(root, "proc/sys/kernel/osrelease"));

    public static string MachineId(string root) => ReadTrimmed(Combine(root, "etc/machine-id"));

    public static string BootId(string root) => ReadTrimmed(Combine(root, "proc/sys/kernel/random/boot_id"));

    /// <summary>PRETTY_NAME from <c>/etc/os-release</c> (or <c>/usr/lib/os-release</c>), unquoted; "Linux" without either.</summary>
    public static string OsImage(string root)
    {
        foreach (var candidate in new[] { "etc/os-release", "usr/lib/os-release" })
        {
            var path = Combine(root, candidate);
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    return Unquote(line["PRETTY_NAME=".Length..].Trim());
                }
            }
        }

        return "Linux";
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0]
            ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal)
            : value;

    /// <summary>Missing files read as empty: a device without /etc/machine-id still reports the rest.</summary>
    private static string ReadTrimmed(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    private static string Combine(string root, string relative) => Path.Combine(root, relative);
}
