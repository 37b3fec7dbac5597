using System.Globalization;
using System.Text;

namespace Edge.Bench.Pods;

/// <summary>
/// Where a process's resident memory sits, from /proc/PID/smaps: the executable's own pages,
/// OpenSSL, other shared libraries, and anonymous memory (GC heap, native heap, thread stacks),
/// with the thread count. Printed beside the agent's RSS so a change can be traced to its part.
/// </summary>
public sealed record MemoryBreakdown(long Rss, long Binary, long OpenSsl, long OtherFiles, long Anonymous, long LargestAnonymous, int Threads)
{
    public static MemoryBreakdown Read(int pid)
    {
        var exe = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? "";
        long binary = 0, openSsl = 0, other = 0, anonymous = 0, largest = 0, current = 0;
        string path = "";
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.IndexOf(' ') > colon && char.IsUpper(line[0]))
            {
                if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    current = Kb(line) * 1024;
                    if (path == exe)
                    {
                        binary += current;
                    }
                    else if (path.Contains("libssl", StringComparison.Ordinal) || path.Contains("libcrypto", StringComparison.Ordinal))
                    {
                        openSsl += current;
                    }
                    else if (path.StartsWith('/'))
                    {
                        other += current;
                    }
                    else
                    {
                        anonymous += current;
                        largest = Math.Max(largest, current);
                    }
                }

                continue;
            }

            // A mapping header: "start-end perms offset dev inode [path]".
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            path = parts.Length == 6 ? parts[5].Trim() : "";
        }

        var threads = (int)File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("Threads:", StringComparison.Ordinal)).Select(Kb).First();
        return new MemoryBreakdown(anonymous + binary + openSsl + other, binary, openSsl, other, anonymous, largest, threads);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"RSS {Mb(Rss)}: binary {Mb(Binary)}, OpenSSL {Mb(OpenSsl)}, other files {Mb(OtherFiles)}, ");
        text.Append(CultureInfo.InvariantCulture, $"anonymous {Mb(Anonymous)} (largest mapping {Mb(LargestAnonymous)}); {Threads} threads");
        return text.ToString();
    }

    private static long Kb(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MB";
}
