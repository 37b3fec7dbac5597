using System.Globalization;

namespace Edge.Native;

/// <summary>
/// Hands back the file pages a long-running process touched only while starting. Nearly all of a
/// native-AOT binary is read at start-up (the runtime rehydrates its type data, every start-up
/// path runs once), and the kernel's read-around then keeps whole 128 KiB windows of it resident:
/// measured on the agent, 11 of its 12 MB file stayed in RSS while idle needed a fraction of it.
/// <para>
/// For every file mapping (the binary's code and data, OpenSSL, libc) this advises the kernel that
/// later faults are random (<c>MADV_RANDOM</c>: a fault reads its one page, not a read-ahead
/// window around it), then asks it to reclaim the read-only mappings' pages now
/// (<c>MADV_PAGEOUT</c>, Linux 5.4). Pages the process still uses fault back in one at a time;
/// pages other processes map (a shared libc) stay where they are, as the kernel skips them.
/// Every file mapping gets the advice, the writable ones too: the kernel reads ahead per file, and
/// one fault in the binary's data section read the whole binary back (read_ahead_kb is 8 MiB on
/// some block devices), after which every fault in its code mapped 16 cached neighbours with it.
/// Writable mappings are not paged out: their changed pages are anonymous, and without swap
/// there is nowhere to put them.
/// </para>
/// </summary>
public static class WorkingSet
{
    private const int MADV_RANDOM = 1;
    private const int MADV_PAGEOUT = 21;
    private const int EINVAL = 22;

    /// <summary>One line of <c>/proc/PID/maps</c> that maps a file.</summary>
    public sealed record FileMapping(ulong Start, ulong End, string Path, bool Writable)
    {
        public ulong Length => End - Start;
    }

    /// <summary>RSS split as <c>/proc/self/status</c> gives it, in bytes.</summary>
    public sealed record Resident(long Total, long File, long Anonymous);

    /// <summary>What a release did: resident memory before and right after, and the mappings it advised.</summary>
    public sealed record Release(Resident Before, Resident After, int Mappings, bool Supported);

    /// <summary>
    /// The file-backed mappings in a <c>/proc/PID/maps</c> text: a path that starts with '/' (not
    /// <c>[vdso]</c>, <c>[heap]</c> or anonymous), not a deleted file, and some access (not the
    /// <c>---p</c> guards between a library's segments).
    /// </summary>
    public static IReadOnlyList<FileMapping> FileMappings(string maps)
    {
        var found = new List<FileMapping>();
        foreach (var line in maps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // address perms offset dev inode [path]; the path may hold spaces, so split five times only.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1].Length != 4 || fields[1].StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }

            var path = fields[5].Trim();
            if (!path.StartsWith('/') || path.EndsWith(" (deleted)", StringComparison.Ordinal))
            {
                continue;
            }

            var dash = fields[0].IndexOf('-');
            if (dash <= 0
                || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end)
                || end <= start)
            {
                continue;
            }

            found.Add(new FileMapping(start, end, path, fields[1][1] == 'w'));
        }

        return found;
    }

    /// <summary><c>VmRSS</c>, <c>RssFile</c> and <c>RssAnon</c> of a <c>/proc/PID/status</c> text; zero where a line is missing.</summary>
    public static Resident ParseStatus(string status)
    {
        long total = 0, file = 0, anonymous = 0;
        foreach (var line in status.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            var kilobytes = value.EndsWith(" kB", StringComparison.Ordinal)
                && long.TryParse(value.AsSpan(0, value.Length - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
            switch (line[..colon])
            {
                case "VmRSS": total = kilobytes; break;
                case "RssFile": file = kilobytes; break;
                case "RssAnon": anonymous = kilobytes; break;
            }
        }

        return new Resident(total, file, anonymous);
    }

    /// <summary>This process's resident memory now.</summary>
    public static Resident Current() => ParseStatus(File.ReadAllText("/proc/self/status"));

    /// <summary>
    /// Advises every file mapping of this process as random and pages out the read-only ones. Best
    /// effort: a kernel older than 5.4 refuses <c>MADV_PAGEOUT</c> (EINVAL), and the release then
    /// reports <see cref="Release.Supported"/> false with nothing changed but the read-around.
    /// </summary>
    public static unsafe Release ReleaseFilePages()
    {
        var before = Current();
        var mappings = FileMappings(File.ReadAllText("/proc/self/maps"));
        var supported = true;
        foreach (var mapping in mappings)
        {
            var address = (void*)mapping.Start;
            var length = (nuint)mapping.Length;
            _ = Libc.Madvise(address, length, MADV_RANDOM);
            if (!mapping.Writable && supported && Libc.Madvise(address, length, MADV_PAGEOUT) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == EINVAL)
            {
                supported = false;
            }
        }

        return new Release(before, Current(), mappings.Count, supported);
    }
}
