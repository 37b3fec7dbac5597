using System.Globalization;
using System.Text;

namespace Edge.Agent.Runtime.Logs;

/// <summary>What <c>kubectl logs</c> asks for (upstream's PodLogOptions).</summary>
public sealed record LogOptions(bool Follow = false, bool Previous = false, bool Timestamps = false, long? TailLines = null, DateTimeOffset? Since = null, long? LimitBytes = null);

/// <summary>
/// Reads the CRI log files containerd writes for a container
/// (<c>&lt;pod log dir&gt;/&lt;container&gt;/&lt;attempt&gt;.log</c>, lines of
/// <c>&lt;RFC 3339 time&gt; &lt;stdout|stderr&gt; &lt;P|F&gt; &lt;text&gt;</c>) and writes them out as kubelet
/// serves them: partial lines joined, optionally with their timestamps, from the last N lines or a
/// point in time, up to a byte limit, and following the file while the container runs.
/// </summary>
public static class ContainerLogs
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The log file of the container's current instance, or of the one before it; null when there is none.</summary>
    public static string? FindFile(string podLogDir, string container, bool previous)
    {
        var dir = Path.Combine(podLogDir, container);
        if (!Directory.Exists(dir))
        {
            return null;
        }

        var attempts = Directory.EnumerateFiles(dir, "*.log")
            .Select(f => (File: f, Attempt: long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(a => a.Attempt >= 0)
            .OrderByDescending(a => a.Attempt)
            .ToArray();
        var index = previous ? 1 : 0;
        return attempts.Length > index ? attempts[index].File : null;
    }

    /// <summary>
    /// Writes the selected lines to <paramref name="write"/>. With <see cref="LogOptions.Follow"/> it keeps
    /// reading new lines until <paramref name="stillRunning"/> says the container stopped and the file is drained.
    /// </summary>
    public static async Task StreamAsync(
        string path, LogOptions options, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
        Func<CancellationToken, Task<bool>> stillRunning, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        var start = options.TailLines is { } tail ? TailOffset(file, tail) : 0;
        file.Position = start;
        var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        var partial = new StringBuilder();
        var remaining = options.LimitBytes ?? long.MaxValue;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                if (!options.Follow || !await stillRunning(cancellationToken))
                {
                    // One more pass: lines written between the last read and the exit.
                    if (options.Follow && await reader.ReadLineAsync(cancellationToken) is { } last)
                    {
                        line = last;
                    }
                    else
                    {
                        return;
                    }
                }
                else
                {
                    await Task.Delay(FollowPoll, cancellationToken);
                    if (file.Length < file.Position)
                    {
                        // Rotated (copied away and truncated): the container writes from the start again.
                        file.Position = 0;
                        reader.DiscardBufferedData();
                    }

                    continue;
                }
            }

            if (!TryParse(line, out var timestamp, out var complete, out var text))
            {
                continue; // A torn or foreign line: kubelet skips those too.
            }

            if (options.Since is { } since && timestamp < since)
            {
                continue;
            }

            if (!complete)
            {
                partial.Append(text);
                continue;
            }

            var output = new StringBuilder();
            if (options.Timestamps)
            {
                output.Append(timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture)).Append("00Z ");
            }

            output.Append(partial).Append(text).Append('\n');
            partial.Clear();
            var bytes = Encoding.UTF8.GetBytes(output.ToString());
            if (bytes.Length >= remaining)
            {
                await write(bytes.AsMemory(0, (int)remaining), cancellationToken);
                return;
            }

            remaining -= bytes.Length;
            await write(bytes, cancellationToken);
        }
    }

    /// <summary>Parses one CRI log line; false for a line that is not in that format.</summary>
    internal static bool TryParse(string line, out DateTimeOffset timestamp, out bool complete, out string text)
    {
        timestamp = default;
        complete = true;
        text = "";
        var first = line.IndexOf(' ');
        var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
        var third = second < 0 ? -1 : line.IndexOf(' ', second + 1);
        if (third < 0 || !DateTimeOffset.TryParse(line.AsSpan(0, first), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
        {
            return false;
        }

        var tag = line.AsSpan(second + 1, third - second - 1);
        complete = tag.Length == 0 || tag[0] != 'P';
        text = line[(third + 1)..];
        return true;
    }

    /// <summary>The offset of the start of the last <paramref name="lines"/> complete log lines (0 for the whole file).</summary>
    internal static long TailOffset(FileStream file, long lines)
    {
        if (lines <= 0)
        {
            return file.Length;
        }

        var buffer = new byte[64 * 1024];
        var position = file.Length;
        var seen = 0L;
        var skippedTrailingNewline = false;
        while (position > 0)
        {
            var count = (int)Math.Min(buffer.Length, position);
            position -= count;
            file.Position = position;
            file.ReadExactly(buffer, 0, count);
            for (var i = count - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                if (!skippedTrailingNewline && position + i == file.Length - 1)
                {
                    skippedTrailingNewline = true;
                    continue;
                }

                // Full lines only: a run of P (partial) lines ends with one F line, so counting newlines
                // over-counts partial lines; kubelet accepts the same approximation.
                if (++seen == lines)
                {
                    return position + i + 1;
                }
            }
        }

        return 0;
    }
}
