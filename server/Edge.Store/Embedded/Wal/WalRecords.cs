namespace Edge.Store.Embedded.Wal;

/// <summary>One mutation of a revision: a put (with value) or a delete (value null).</summary>
internal readonly record struct Mutation(string Key, byte[]? Value, long Lease);

/// <summary>Turns a key's UTF-8 bytes into its string (recovery reuses the index's strings).</summary>
internal delegate string KeyDecoder(ReadOnlySpan<byte> utf8);

/// <summary>Encodes and decodes the payloads of WAL records.</summary>
internal static class WalRecords
{
    public const long FormatVersion = 1;

    public static void WriteSegmentHeader(ByteWriter output, long sequence)
    {
        var payload = new ByteWriter(16);
        payload.WriteInt64(FormatVersion);
        payload.WriteInt64(sequence);
        RecordFrame.Write(output, RecordType.SegmentHeader, payload.Span);
    }

    public static void WriteTxn(ByteWriter output, ByteWriter scratch, long revision, IReadOnlyList<Mutation> mutations)
    {
        scratch.Clear();
        scratch.WriteInt64(revision);
        scratch.WriteInt32(mutations.Count);
        foreach (var m in mutations)
        {
            scratch.WriteByte(m.Value is null ? (byte)2 : (byte)1);
            scratch.WriteString(m.Key);
            if (m.Value is not null)
            {
                scratch.WriteInt64(m.Lease);
                scratch.WriteBytes(m.Value);
            }
        }

        RecordFrame.Write(output, RecordType.Txn, scratch.Span);
    }

    public static (long Revision, List<Mutation> Mutations) ReadTxn(ReadOnlySpan<byte> payload, KeyDecoder? decodeKey = null)
    {
        var reader = new ByteReader(payload);
        var revision = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count < 0 || count > 1_000_000)
        {
            throw new FormatException($"txn record claims {count} mutations");
        }

        var mutations = new List<Mutation>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = reader.ReadByte();
            var key = decodeKey is null ? reader.ReadString() : decodeKey(reader.ReadUtf8());
            mutations.Add(kind switch
            {
                1 => new Mutation(key, Lease: reader.ReadInt64(), Value: reader.ReadBytes()),
                2 => new Mutation(key, null, 0),
                _ => throw new FormatException($"unknown mutation kind {kind}"),
            });
        }

        return (revision, mutations);
    }

    public static void WriteLong(ByteWriter output, RecordType type, long first, long second = 0)
    {
        Span<byte> payload = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(payload, first);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(payload[8..], second);
        RecordFrame.Write(output, type, payload);
    }

    public static (long First, long Second) ReadLong(ReadOnlySpan<byte> payload)
    {
        var reader = new ByteReader(payload);
        return (reader.ReadInt64(), reader.ReadInt64());
    }
}
