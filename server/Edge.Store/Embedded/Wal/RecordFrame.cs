using System.Buffers.Binary;

namespace Edge.Store.Embedded.Wal;

/// <summary>
/// The frame of every record on disk: <c>[u32 payload length][u8 type][u32 CRC32C of type and
/// payload][payload]</c>, little-endian. A frame either checks out whole or is rejected.
/// </summary>
internal static class RecordFrame
{
    public const int HeaderSize = 9;

    /// <summary>Frames larger than this are corrupt by definition (a 128-op txn of 1.5 MiB values fits).</summary>
    public const int MaxPayload = 256 * 1024 * 1024;

    public static void Write(ByteWriter output, RecordType type, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        header[4] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(header[5..], Checksum(type, payload));
        output.Write(header);
        output.Write(payload);
    }

    public static uint Checksum(RecordType type, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32C();
        ReadOnlySpan<byte> typeByte = [(byte)type];
        crc.Append(typeByte);
        crc.Append(payload);
        return crc.Value;
    }

    /// <summary>Outcome of reading one frame at an offset.</summary>
    public enum ReadStatus
    {
        Ok,
        /// <summary>The data ends inside the frame.</summary>
        Truncated,
        /// <summary>The frame is whole but its checksum or length is wrong.</summary>
        Corrupt,
    }

    public static ReadStatus TryRead(ReadOnlySpan<byte> data, out RecordType type, out ReadOnlySpan<byte> payload, out int frameLength)
    {
        type = 0;
        payload = default;
        frameLength = 0;
        if (data.Length < HeaderSize)
        {
            return ReadStatus.Truncated;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length > MaxPayload)
        {
            return ReadStatus.Corrupt;
        }

        if (data.Length - HeaderSize < length)
        {
            return ReadStatus.Truncated;
        }

        type = (RecordType)data[4];
        payload = data.Slice(HeaderSize, (int)length);
        frameLength = HeaderSize + (int)length;
        return BinaryPrimitives.ReadUInt32LittleEndian(data[5..]) == Checksum(type, payload) ? ReadStatus.Ok : ReadStatus.Corrupt;
    }
}
