using System.Threading.Channels;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.ApiServer.Logs;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Server.NodeHub;

/// <summary>
/// The hub's end of one <c>kubectl logs</c> stream on a node's channel: the agent's chunks wait
/// here (at most <see cref="NodeChannelProtocol.LogWindow"/>, the credit the agent was given)
/// until the HTTP response takes them; each half window taken is granted back to the agent. An
/// agent that sends beyond its credit loses the stream, so one slow reader never makes the hub
/// hold more than a window.
/// </summary>
public sealed class LogStream(ulong id, Func<ServerMessage, bool> post)
{
    private readonly Channel<LogChunk> _chunks = Channel.CreateBounded<LogChunk>(
        new BoundedChannelOptions((int)NodeChannelProtocol.LogWindow) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ulong Id { get; } = id;

    /// <summary>Whether the agent ended the stream itself (no cancel needed).</summary>
    public bool Finished { get; private set; }

    /// <summary>The request that opens the stream on the agent; options left out stay unset (proto3 optional).</summary>
    public ServerMessage Request(PodLogQuery query)
    {
        var request = new LogRequest
        {
            StreamId = Id,
            Pod = new ObjectRef { Namespace = query.Namespace, Name = query.Pod, Uid = query.Uid },
            Container = query.Container,
            Follow = query.Follow,
            Previous = query.Previous,
            Timestamps = query.Timestamps,
            Window = NodeChannelProtocol.LogWindow,
        };
        if (query.TailLines is { } tail)
        {
            request.TailLines = tail;
        }

        if (query.SinceSeconds is { } seconds)
        {
            request.SinceSeconds = seconds;
        }

        if (query.SinceTime is { } since)
        {
            request.SinceTimeUnixNanos = (since - DateTimeOffset.UnixEpoch).Ticks * 100;
        }

        if (query.LimitBytes is { } limit)
        {
            request.LimitBytes = limit;
        }

        return new ServerMessage { LogRequest = request };
    }

    /// <summary>A chunk from the agent (session read loop); false when the agent exceeded its credit and the stream failed.</summary>
    public bool Deliver(LogChunk chunk)
    {
        if (_chunks.Writer.TryWrite(chunk))
        {
            return true;
        }

        Fail(ApiException.Internal("the node sent more log data than it was granted"));
        return false;
    }

    /// <summary>Ends the stream with <paramref name="error"/> (the node went away); chunks already here are still written first.</summary>
    public void Fail(Exception error) => _chunks.Writer.TryComplete(error);

    /// <summary>Writes the chunks in order until the agent's last one; its error becomes an <see cref="ApiException"/>.</summary>
    public async Task PumpAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        uint taken = 0;
        await foreach (var chunk in _chunks.Reader.ReadAllAsync(cancellationToken))
        {
            if (chunk.End)
            {
                Finished = true;
                if (chunk.Code != 0)
                {
                    throw new ApiException(Status.Failure(chunk.Code, Reason(chunk.Code), chunk.Message));
                }

                if (!chunk.Data.IsEmpty)
                {
                    await write(chunk.Data.Memory, cancellationToken);
                }

                return;
            }

            await write(chunk.Data.Memory, cancellationToken);
            if (++taken >= NodeChannelProtocol.LogWindow / 2)
            {
                post(new ServerMessage { LogCredit = new LogCredit { StreamId = Id, Chunks = taken } });
                taken = 0;
            }
        }

        throw ApiException.Internal("the node ended the log stream without finishing it");
    }

    private static string Reason(int code) => code switch
    {
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        503 => "ServiceUnavailable",
        _ => "InternalError",
    };
}
