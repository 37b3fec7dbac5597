using System.Collections.Concurrent;
using Edge.Api.Errors;
using Edge.ApiServer.Logs;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Server.NodeHub;

public sealed partial class NodeSession
{
    private readonly ConcurrentDictionary<ulong, LogStream> _logs = new();
    private long _logIds;

    /// <summary>
    /// Asks the agent for a container's log and writes what it sends; the agent stops when
    /// <paramref name="cancellationToken"/> fires (the HTTP client left) or the writer fails.
    /// </summary>
    public async Task StreamLogAsync(PodLogQuery query, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var stream = new LogStream((ulong)Interlocked.Increment(ref _logIds), Post);
        _logs[stream.Id] = stream;
        try
        {
            if (!Post(stream.Request(query)))
            {
                throw ApiException.Unavailable($"node \"{_node}\" is not connected");
            }

            await stream.PumpAsync(write, cancellationToken);
        }
        finally
        {
            if (_logs.TryRemove(stream.Id, out _) && !stream.Finished)
            {
                Post(new ServerMessage { LogCancel = new LogCancel { StreamId = stream.Id } });
            }
        }
    }

    /// <summary>A chunk from the agent; chunks of a stream that already ended here (cancelled) are dropped.</summary>
    private void DeliverLog(LogChunk chunk)
    {
        if (!_logs.TryGetValue(chunk.StreamId, out var stream))
        {
            return;
        }

        var delivered = stream.Deliver(chunk);
        if (chunk.End || !delivered)
        {
            _logs.TryRemove(chunk.StreamId, out _);
        }

        if (!delivered)
        {
            Enqueue(new ServerMessage { LogCancel = new LogCancel { StreamId = chunk.StreamId } });
        }
    }

    /// <summary>The stream is over: every open log ends with an error its reader can show.</summary>
    private void FailLogs()
    {
        foreach (var (id, stream) in _logs)
        {
            if (_logs.TryRemove(id, out _))
            {
                stream.Fail(ApiException.Unavailable($"node \"{_node}\" disconnected"));
            }
        }
    }

    /// <summary>
    /// For callers outside the session's loops (HTTP requests): queues <paramref name="message"/>,
    /// false when the stream has ended. A full outbox ends the stream, as <see cref="Enqueue"/> does.
    /// </summary>
    private bool Post(ServerMessage message)
    {
        if (TryEnqueue(message))
        {
            return true;
        }

        _outbox.Writer.TryComplete(new NodeChannelException(GrpcStatusCodes.ResourceExhausted,
            $"the node did not read its last {OutboxCapacity} messages; reconnect to resume"));
        return false;
    }
}
