using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Edge.Agent.Runtime.Logs;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;

namespace Edge.Agent.Logs;

/// <summary>
/// The agent's open <c>kubectl logs</c> streams on one node channel connection, any number at
/// once. Each reads its file into a small pipe (so the file reader waits for a slow reader) and
/// sends what accumulated as one chunk of at most <see cref="NodeChannelProtocol.LogChunkBytes"/>
/// whenever the server has granted credit for it. The first chunk is empty: "found, streaming";
/// the last has <c>end</c> set, with the error when there was one.
/// </summary>
public sealed class LogStreams(IContainerLogSource source, TimeProvider time, Func<LogChunk, CancellationToken, Task> send)
{
    private readonly ConcurrentDictionary<ulong, Stream> _streams = new();

    /// <summary>Streams running now.</summary>
    public int Count => _streams.Count;

    /// <summary>Starts serving <paramref name="request"/>; it ends with <paramref name="connection"/> at the latest.</summary>
    public void Start(LogRequest request, CancellationToken connection)
    {
        var stream = new Stream(request, CancellationTokenSource.CreateLinkedTokenSource(connection));
        if (!_streams.TryAdd(request.StreamId, stream))
        {
            // The server never reuses an id on one connection: a repeat is a duplicate, already served.
            stream.Dispose();
            return;
        }

        stream.Running = Task.Run(() => RunAsync(stream));
    }

    /// <summary>The server's reader left: stop sending.</summary>
    public void Cancel(ulong id)
    {
        if (_streams.TryGetValue(id, out var stream))
        {
            stream.Cancel();
        }
    }

    /// <summary>The server delivered <paramref name="chunks"/> more; it never grants more than a window at once.</summary>
    public void Credit(ulong id, uint chunks)
    {
        if (chunks > 0 && _streams.TryGetValue(id, out var stream))
        {
            stream.Credit.Release((int)Math.Min(chunks, NodeChannelProtocol.LogWindow));
        }
    }

    /// <summary>Ends every stream (the connection is gone) and waits for them.</summary>
    public async Task StopAllAsync()
    {
        var running = _streams.Values.ToArray();
        foreach (var stream in running)
        {
            stream.Cancel();
        }

        await Task.WhenAll(running.Select(s => s.Running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(Stream stream)
    {
        var request = stream.Request;
        var cancellationToken = stream.Cancelled;
        try
        {
            ContainerLogFile file;
            try
            {
                file = await source.OpenAsync(request, cancellationToken);
            }
            catch (LogUnavailableException e)
            {
                await SendAsync(stream, ByteString.Empty, end: true, e.Code, e.Message);
                return;
            }

            await SendAsync(stream, ByteString.Empty);
            var pipe = new Pipe(new PipeOptions(
                pauseWriterThreshold: 2 * NodeChannelProtocol.LogChunkBytes, resumeWriterThreshold: NodeChannelProtocol.LogChunkBytes, useSynchronizationContext: false));
            var reading = ReadAsync(file, Options(request), pipe.Writer, cancellationToken);
            try
            {
                await ForwardAsync(stream, pipe.Reader);
                await reading;
            }
            catch
            {
                // The file reader may be waiting on a pipe nobody drains any more.
                stream.Cancel();
                await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }

            await SendAsync(stream, ByteString.Empty, end: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the server, or the connection is gone: there is no one to tell.
        }
        catch (Channel.NodeChannelException)
        {
            // The connection failed: the server fails its end of every stream by itself.
        }
        catch (Exception e)
        {
            // A file that vanished or cannot be read (IOException, UnauthorizedAccessException), or
            // anything else: the reader gets the reason instead of a stream that stops without one.
            await SendAsync(stream, ByteString.Empty, end: true, 500, $"reading the log of container \"{request.Container}\" failed: {e.Message}")
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            _streams.TryRemove(KeyValuePair.Create(request.StreamId, stream));
            stream.Dispose();
        }
    }

    private static async Task ReadAsync(ContainerLogFile file, LogOptions options, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            await ContainerLogs.StreamAsync(file.Path, options, async (bytes, token) => await writer.WriteAsync(bytes, token), file.StillRunning, cancellationToken);
            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
            throw;
        }
    }

    /// <summary>Whatever the file reader wrote meanwhile goes as one chunk (several when it is big); each waits for credit.</summary>
    private async Task ForwardAsync(Stream stream, PipeReader reader)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(stream.Cancelled);
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var chunk = buffer.Slice(0, Math.Min(buffer.Length, NodeChannelProtocol.LogChunkBytes));
                    await SendAsync(stream, UnsafeByteOperations.UnsafeWrap(chunk.ToArray()));
                    buffer = buffer.Slice(chunk.End);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task SendAsync(Stream stream, ByteString data, bool end = false, int code = 0, string message = "")
    {
        await stream.Credit.WaitAsync(stream.Cancelled);
        await send(new LogChunk { StreamId = stream.Request.StreamId, Data = data, End = end, Code = code, Message = message }, stream.Cancelled);
    }

    private LogOptions Options(LogRequest request) => new(
        Follow: request.Follow && !request.Previous,
        Previous: request.Previous,
        Timestamps: request.Timestamps,
        TailLines: request.HasTailLines ? request.TailLines : null,
        Since: request.HasSinceSeconds ? time.GetUtcNow().AddSeconds(-request.SinceSeconds)
            : request.HasSinceTimeUnixNanos ? DateTimeOffset.UnixEpoch.AddTicks(request.SinceTimeUnixNanos / 100) : null,
        LimitBytes: request.HasLimitBytes ? request.LimitBytes : null);

    private sealed class Stream(LogRequest request, CancellationTokenSource cancel) : IDisposable
    {
        public LogRequest Request { get; } = request;

        // Never disposed: a credit may arrive while the stream ends, and SemaphoreSlim holds nothing to free unless its wait handle is used.
        public SemaphoreSlim Credit { get; } = new((int)Math.Clamp(request.Window, 1, NodeChannelProtocol.LogWindow));

        public CancellationToken Cancelled { get; } = cancel.Token;

        public Task Running { get; set; } = Task.CompletedTask;

        public void Cancel()
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended on its own meanwhile.
            }
        }

        public void Dispose() => cancel.Dispose();
    }
}
