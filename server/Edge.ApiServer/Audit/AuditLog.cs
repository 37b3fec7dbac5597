using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Edge.ApiServer.Authorization;

namespace Edge.ApiServer.Audit;

/// <summary>One answered request, as it goes to the audit log.</summary>
public sealed record AuditRecord(
    DateTimeOffset Time, AuthorizationAttributes Attributes, string Method, string RequestUri, string SourceAddress, string UserAgent,
    int Code, double LatencyMilliseconds);

/// <summary>
/// The optional audit log: one JSON line per request (who, what, where, the answer and how long it
/// took). Lines are written by a background task, so a slow disk delays the log, never a request;
/// when the queue is full (the disk cannot keep up) the oldest lines are dropped and counted, and
/// the count is written as a line of its own.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    private const int QueueLength = 10_000;

    private readonly Channel<AuditRecord> _queue;
    private readonly FileStream _file;
    private readonly Task _writer;
    private long _dropped;

    public AuditLog(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _queue = Channel.CreateBounded<AuditRecord>(
            new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _writer = Task.Run(WriteAsync);
    }

    public void Add(AuditRecord record) => _queue.Writer.TryWrite(record);

    private async Task WriteAsync()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            buffer.ResetWrittenCount();
            while (_queue.Reader.TryRead(out var record))
            {
                Write(buffer, record);
            }

            var dropped = Interlocked.Exchange(ref _dropped, 0);
            if (dropped > 0)
            {
                using var writer = new Utf8JsonWriter(buffer);
                writer.WriteStartObject();
                writer.WriteString("time", DateTimeOffset.UtcNow);
                writer.WriteNumber("droppedRecords", dropped);
                writer.WriteEndObject();
                writer.Flush();
                buffer.Write("\n"u8);
            }

            await _file.WriteAsync(buffer.WrittenMemory);
            await _file.FlushAsync();
        }
    }

    private static void Write(System.Buffers.ArrayBufferWriter<byte> buffer, AuditRecord record)
    {
        var a = record.Attributes;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", record.Time);
            writer.WriteString("user", a.User.Name);
            writer.WriteStartArray("groups");
            foreach (var group in a.User.Groups)
            {
                writer.WriteStringValue(group);
            }

            writer.WriteEndArray();
            writer.WriteString("verb", a.Verb);
            if (a.IsResourceRequest)
            {
                writer.WriteString("apiGroup", a.ApiGroup);
                writer.WriteString("resource", a.Resource);
                if (a.Subresource.Length > 0)
                {
                    writer.WriteString("subresource", a.Subresource);
                }

                writer.WriteString("namespace", a.Namespace);
                writer.WriteString("name", a.Name);
            }

            writer.WriteString("method", record.Method);
            writer.WriteString("requestURI", record.RequestUri);
            writer.WriteString("sourceIP", record.SourceAddress);
            writer.WriteString("userAgent", record.UserAgent);
            writer.WriteNumber("code", record.Code);
            writer.WriteNumber("latencyMs", Math.Round(record.LatencyMilliseconds, 3));
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
        await _file.DisposeAsync();
    }
}
