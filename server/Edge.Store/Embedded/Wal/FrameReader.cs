using System.Buffers;
using System.Buffers.Binary;

namespace Edge.Store.Embedded.Wal;

/// <summary>Reads framed records one by one from a stream (snapshot files can be large).</summary>
internal sealed class FrameReader(Stream stream) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    /// <summary>The next record, or false at a clean end of stream. Throws <see cref="StoreCorruptException"/> otherwise.</summary>
    public bool TryNext(string source, out RecordType type, out ReadOnlySpan<byte> payload)
    {
        type = 0;
        payload = default;
        Span<byte> header = stackalloc byte[RecordFrame.HeaderSize];
        var got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            return false;
        }

        if (got < header.Length)
        {
            throw new StoreCorruptException($"{source}: ends inside a record header");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > RecordFrame.MaxPayload)
        {
            throw new StoreCorruptException($"{source}: record of impossible length {length}");
        }

        if (_buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent((int)length);
        }

        var body = _buffer.AsSpan(0, (int)length);
        if (stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false) < body.Length)
        {
            throw new StoreCorruptException($"{source}: ends inside a record");
        }

        type = (RecordType)header[4];
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[5..]) != RecordFrame.Checksum(type, body))
        {
            throw new StoreCorruptException($"{source}: record checksum mismatch");
        }

        payload = body;
        return true;
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
