using System.Text;
using Edge.Agent.Runtime.Logs;

namespace Edge.Agent.Runtime.Tests.Logs;

public sealed class ContainerLogsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-logs-").FullName;

    private const string Sample = """
        2026-12-07T10:00:00.000000001Z stdout F one
        2026-12-07T10:00:01.000000000Z stderr P tw
        2026-12-07T10:00:01.500000000Z stderr F o
        garbage without the format
        2026-12-07T10:00:02.000000000Z stdout F three

        """;

    [Fact]
    public async Task Stream_JoinsPartialLines_SkipsGarbage()
    {
        Assert.Equal("one\ntwo\nthree\n", await ReadAsync(new LogOptions()));
    }

    [Fact]
    public async Task Stream_TailLines_TimestampsSinceAndLimit()
    {
        Assert.Equal("three\n", await ReadAsync(new LogOptions(TailLines: 1)));
        Assert.Equal("", await ReadAsync(new LogOptions(TailLines: 0)));
        Assert.Equal("2026-12-07T10:00:02.000000000Z three\n", await ReadAsync(new LogOptions(TailLines: 1, Timestamps: true)));
        Assert.Equal("two\nthree\n", await ReadAsync(new LogOptions(Since: DateTimeOffset.Parse("2026-12-07T10:00:00.5Z"))));
        Assert.Equal("one\ntw", await ReadAsync(new LogOptions(LimitBytes: 6)));
    }

    /// <summary>Follows the log from its last line into <paramref name="output"/> while <paramref name="running"/> says so.</summary>
    private static Task Follow(string path, StringBuilder output, Func<bool> running) =>
        ContainerLogs.StreamAsync(path, new LogOptions(Follow: true, TailLines: 1), (bytes, _) =>
        {
            lock (output)
            {
                output.Append(Encoding.UTF8.GetString(bytes.Span));
            }

            return ValueTask.CompletedTask;
        }, _ => Task.FromResult(running()), CancellationToken.None);

    [Fact]
    public async Task Stream_Follow_ReadsNewLinesUntilTheContainerStops()
    {
        var path = Write(Sample);
        var running = true;
        var output = new StringBuilder();
        var streaming = Follow(path, output, () => running);

        await Task.Delay(300);
        await File.AppendAllTextAsync(path, "2026-12-07T10:00:03.000000000Z stdout F four\n");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Snapshot(output).Contains("four", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(streaming.IsCompleted);
        running = false;
        await streaming.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("three\nfour\n", Snapshot(output));
    }

    [Fact]
    public async Task Stream_Follow_ContinuesAfterTheFileIsRotatedByTruncation()
    {
        var path = Write(Sample);
        var running = true;
        var output = new StringBuilder();
        var streaming = Follow(path, output, () => running);

        await Task.Delay(300);
        await using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await Task.Delay(300);
        await File.AppendAllTextAsync(path, "2026-12-07T10:00:04.000000000Z stdout F after-rotation\n");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Snapshot(output).Contains("after-rotation", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        running = false;
        await streaming.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("three\nafter-rotation\n", Snapshot(output));
    }

    [Fact]
    public void FindFile_CurrentAndPrevious_ByAttempt()
    {
        var container = Path.Combine(_dir, "c");
        Directory.CreateDirectory(container);
        foreach (var name in new[] { "0.log", "1.log", "10.log", "2.log" })
        {
            File.WriteAllText(Path.Combine(container, name), "");
        }

        Assert.Equal(Path.Combine(container, "10.log"), ContainerLogs.FindFile(_dir, "c", previous: false));
        Assert.Equal(Path.Combine(container, "2.log"), ContainerLogs.FindFile(_dir, "c", previous: true));
        Assert.Null(ContainerLogs.FindFile(_dir, "absent", previous: false));
    }

    private async Task<string> ReadAsync(LogOptions options)
    {
        var output = new MemoryStream();
        await ContainerLogs.StreamAsync(Write(Sample), options, (bytes, ct) => output.WriteAsync(bytes, ct), _ => Task.FromResult(false), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private string Write(string content)
    {
        var path = Path.Combine(_dir, Guid.NewGuid() + ".log");
        File.WriteAllText(path, content.Replace("\r\n", "\n"));
        return path;
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
