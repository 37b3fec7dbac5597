using Edge.Api.Errors;
using Edge.ApiServer.Logs;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Edge.Server.NodeHub;
using Google.Protobuf;

namespace Edge.Server.Tests.NodeHub;

public sealed class LogStreamTests
{
    private readonly List<ServerMessage> _posted = [];

    private LogStream NewStream() => new(7, m =>
    {
        _posted.Add(m);
        return true;
    });

    private static LogChunk Chunk(string text, bool end = false, int code = 0, string message = "") =>
        new() { StreamId = 7, Data = ByteString.CopyFromUtf8(text), End = end, Code = code, Message = message };

    private static async Task<string> PumpAsync(LogStream stream)
    {
        var output = new System.Text.StringBuilder();
        await stream.PumpAsync((bytes, _) =>
        {
            output.Append(System.Text.Encoding.UTF8.GetString(bytes.Span));
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return output.ToString();
    }

    [Fact]
    public void Request_UnsetOptions_StayUnsetOnTheWire()
    {
        var request = NewStream().Request(new PodLogQuery("default", "web", "u1", "app", Follow: true, TailLines: 2)).LogRequest;

        Assert.Equal(7UL, request.StreamId);
        Assert.Equal(("default", "web", "u1", "app"), (request.Pod.Namespace, request.Pod.Name, request.Pod.Uid, request.Container));
        Assert.True(request.Follow);
        Assert.True(request.HasTailLines);
        Assert.Equal(2, request.TailLines);
        Assert.False(request.HasSinceSeconds);
        Assert.False(request.HasSinceTimeUnixNanos);
        Assert.False(request.HasLimitBytes);
        Assert.Equal(NodeChannelProtocol.LogWindow, request.Window);
    }

    [Fact]
    public void Request_SinceTime_TravelsAsUnixNanoseconds()
    {
        var request = NewStream().Request(new PodLogQuery("default", "web", "u1", "app", SinceTime: DateTimeOffset.Parse("1970-01-01T00:00:01.5Z"))).LogRequest;

        Assert.Equal(1_500_000_000, request.SinceTimeUnixNanos);
    }

    [Fact]
    public async Task Pump_ChunksThenEnd_WritesInOrderAndGrantsCreditPerHalfWindow()
    {
        var stream = NewStream();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(stream.Deliver(Chunk($"line {i}\n")));
        }

        Assert.True(stream.Deliver(Chunk("", end: true)));

        Assert.Equal("line 0\nline 1\nline 2\nline 3\nline 4\n", await PumpAsync(stream));
        Assert.True(stream.Finished);
        var credit = Assert.Single(_posted).LogCredit;
        Assert.Equal((7UL, NodeChannelProtocol.LogWindow / 2), (credit.StreamId, credit.Chunks));
    }

    [Fact]
    public async Task Deliver_BeyondTheWindow_FailsTheStreamAfterWhatCameWithinIt()
    {
        var stream = NewStream();
        for (var i = 0; i < NodeChannelProtocol.LogWindow; i++)
        {
            Assert.True(stream.Deliver(Chunk("x")));
        }

        Assert.False(stream.Deliver(Chunk("too much")));

        var error = await Assert.ThrowsAsync<ApiException>(() => PumpAsync(stream));
        Assert.Equal(500, error.Status.Code);
        Assert.Contains("more log data than it was granted", error.Status.Message);
    }

    [Fact]
    public async Task Pump_EndWithCode_ThrowsThatStatus()
    {
        var stream = NewStream();
        stream.Deliver(Chunk("", end: true, code: 400, message: "container \"app\" in pod \"web\" is waiting to start - no logs yet"));

        var error = await Assert.ThrowsAsync<ApiException>(() => PumpAsync(stream));

        Assert.Equal((400, "BadRequest"), (error.Status.Code, error.Status.Reason));
        Assert.Equal("container \"app\" in pod \"web\" is waiting to start - no logs yet", error.Status.Message);
        Assert.True(stream.Finished);
    }

    [Fact]
    public async Task Fail_NodeGone_EndsThePumpWithTheError()
    {
        var stream = NewStream();
        var pumping = PumpAsync(stream);
        stream.Deliver(Chunk("first\n"));

        stream.Fail(ApiException.Unavailable("node \"edge-a\" disconnected"));

        var error = await Assert.ThrowsAsync<ApiException>(() => pumping);
        Assert.Equal(503, error.Status.Code);
        Assert.False(stream.Finished);
    }
}
