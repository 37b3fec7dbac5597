using System.Buffers.Binary;
using System.Numerics;

namespace Edge.Store.Embedded.Wal;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every record on disk. System.IO.Hashing offers only the
/// IEEE CRC-32; <see cref="BitOperations.Crc32C(uint, ulong)"/> uses the CPU's CRC32C instruction
/// (SSE4.2 on x64, the CRC extension on ARMv8) and a table where there is none.
/// </summary>
internal struct Crc32C
{
    private uint _state = uint.MaxValue;

    public Crc32C()
    {
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        _state = crc;
    }

    public readonly uint Value => ~_state;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = new Crc32C();
        crc.Append(data);
        return crc.Value;
    }
}
