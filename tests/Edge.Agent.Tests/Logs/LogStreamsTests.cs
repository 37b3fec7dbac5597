using System.Text;
using Edge.Agent.Logs;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Tests.Logs;

public sealed class LogStreamsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-logstreams-").FullName;
    private readonly System.Threading.Channels.Channel<LogChunk> _sent = System.Threading.Channels.Channel.CreateUnbounded<LogChunk>();
    private readonly CancellationTokenSource _connection = new();

    public void Dispose()
    {
        _connection.Cancel();
        _connection.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private LogStreams Streams(IContainerLogSource source) =>
        new(source, TimeProvider.System, async (chunk, token) => await _sent.Writer.WriteAsync(chunk, token));

    private string WriteLog(int lines, int width = 10)
    {
        var path = Path.Combine(_dir, "0.log");
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            text.Append("2026-01-01T00:00:00.000000000Z stdout F ").Append(i.ToString("D" + width, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static LogRequest Request(ulong id, bool follow = false, uint window = NodeChannelProtocol.LogWindow) => new()
    {
        StreamId = id,
        Pod = new ObjectRef { Namespace = "default", Name = "web", Uid = "u1" },
        Container = "app",
        Follow = follow,
        Window = window,
    };

    private async Task<LogChunk> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _sent.Reader.ReadAsync(timeout.Token);
    }

    private async Task<List<LogChunk>> UntilEndAsync(LogStreams streams, ulong id)
    {
        var chunks = new List<LogChunk>();
        while (true)
        {
            var chunk = await NextAsync();
            Assert.Equal(id, chunk.StreamId);
            chunks.Add(chunk);
            if (chunk.End)
            {
                return chunks;
            }

            streams.Credit(id, 1);
        }
    }

    [Fact]
    public async Task Start_WholeLog_EmptyOpeningChunkThenTheLinesThenEnd()
    {
        var streams = Streams(new FixedSource(new ContainerLogFile(WriteLog(3), _ => Task.FromResult(false))));

        streams.Start(Request(1), _connection.Token);
        var chunks = await UntilEndAsync(streams, 1);

        Assert.True(chunks[0].Data.IsEmpty);
        Assert.Equal("0000000000\n0000000001\n0000000002\n", string.Concat(chunks.Select(c => c.Data.ToStringUtf8())));
        Assert.Equal((true, 0), (chunks[^1].End, chunks[^1].Code));
    }

    [Fact]
    public async Task Start_NoLog_OneEndChunkWithTheSourcesStatus()
    {
        var streams = Streams(new FixedSource(new LogUnavailableException(400, "container \"app\" in pod \"web\" is waiting to start - no logs yet")));

        streams.Start(Request(2), _connection.Token);
        var chunk = await NextAsync();

        Assert.Equal((2UL, true, 400), (chunk.StreamId, chunk.End, chunk.Code));
        Assert.Equal("container \"app\" in pod \"web\" is waiting to start - no logs yet", chunk.Message);
    }

    [Fact]
    public async Task Start_BigLog_SendsNoMoreThanTheCreditAllows()
    {
        // ~1 MiB: many chunks' worth.
        var streams = Streams(new FixedSource(new ContainerLogFile(WriteLog(40_000, 15), _ => Task.FromResult(false))));

        streams.Start(Request(3, window: 2), _connection.Token);
        var first = await NextAsync();
        var second = await NextAsync();
        await Task.Delay(300);

        Assert.True(first.Data.IsEmpty);
        Assert.InRange(second.Data.Length, 1, NodeChannelProtocol.LogChunkBytes);
        Assert.False(_sent.Reader.TryRead(out _));

        streams.Credit(3, 1);
        var third = await NextAsync();
        Assert.False(third.End);
        streams.Credit(3, 1);
        var rest = await UntilEndAsync(streams, 3);
        Assert.Equal(40_000 * 16, second.Data.Length + third.Data.Length + rest.Sum(c => c.Data.Length));
    }

    [Fact]
    public async Task Cancel_Following_StopsWithoutAnEndChunk()
    {
        var streams = Streams(new FixedSource(new ContainerLogFile(WriteLog(1), _ => Task.FromResult(true))));

        streams.Start(Request(4, follow: true), _connection.Token);
        Assert.True((await NextAsync()).Data.IsEmpty);
        Assert.Equal("0000000000\n", (await NextAsync()).Data.ToStringUtf8());

        streams.Cancel(4);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (streams.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, streams.Count);
        Assert.False(_sent.Reader.TryRead(out _));
    }

    [Fact]
    public async Task StopAll_SeveralFollows_EndsThemAll()
    {
        var streams = Streams(new FixedSource(new ContainerLogFile(WriteLog(1), _ => Task.FromResult(true))));
        streams.Start(Request(5, follow: true), _connection.Token);
        streams.Start(Request(6, follow: true), _connection.Token);
        for (var i = 0; i < 4; i++)
        {
            await NextAsync();
        }

        Assert.Equal(2, streams.Count);
        await streams.StopAllAsync();

        Assert.Equal(0, streams.Count);
    }

    private sealed class FixedSource(object answer) : IContainerLogSource
    {
        public Task<ContainerLogFile> OpenAsync(LogRequest request, CancellationToken cancellationToken) =>
            answer is Exception e ? Task.FromException<ContainerLogFile>(e) : Task.FromResult((ContainerLogFile)answer);
    }
}
