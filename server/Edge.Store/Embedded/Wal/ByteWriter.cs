using System.Buffers.Binary;
using System.Text;

namespace Edge.Store.Embedded.Wal;

/// <summary>A growable byte buffer for encoding records; reused across batches.</summary>
internal sealed class ByteWriter(int capacity = 64 * 1024)
{
    private byte[] _buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Shrinks back after an unusually large batch so one big write does not pin memory.</summary>
    public void Trim(int keep)
    {
        if (_buffer.Length > keep && Length == 0)
        {
            _buffer = new byte[keep];
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        Reserve(data.Length);
        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
    }

    public void WriteByte(byte value)
    {
        Reserve(1);
        _buffer[Length++] = value;
    }

    public void WriteInt64(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        Write(value);
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt32(count);
        Reserve(count);
        Encoding.UTF8.GetBytes(value, _buffer.AsSpan(Length));
        Length += count;
    }

    private void Reserve(int more)
    {
        if (Length + more <= _buffer.Length)
        {
            return;
        }

        var size = Math.Max(_buffer.Length * 2, Length + more);
        Array.Resize(ref _buffer, size);
    }
}

/// <summary>Reads what <see cref="ByteWriter"/> wrote; throws <see cref="FormatException"/> past the end.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _data = data;

    public readonly bool AtEnd => _data.IsEmpty;

    public byte ReadByte()
    {
        Need(1);
        var value = _data[0];
        _data = _data[1..];
        return value;
    }

    public long ReadInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadInt64LittleEndian(_data);
        _data = _data[8..];
        return value;
    }

    public int ReadInt32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadInt32LittleEndian(_data);
        _data = _data[4..];
        return value;
    }

    public byte[] ReadBytes()
    {
        var length = ReadInt32();
        Need(length);
        var value = GC.AllocateUninitializedArray<byte>(length);
        _data[..length].CopyTo(value);
        _data = _data[length..];
        return value;
    }

    /// <summary>A length-prefixed string's UTF-8 bytes, without decoding them.</summary>
    public ReadOnlySpan<byte> ReadUtf8()
    {
        var length = ReadInt32();
        Need(length);
        var value = _data[..length];
        _data = _data[length..];
        return value;
    }

    public string ReadString()
    {
        var length = ReadInt32();
        Need(length);
        var value = Encoding.UTF8.GetString(_data[..length]);
        _data = _data[length..];
        return value;
    }

    private readonly void Need(int count)
    {
        if (count < 0 || _data.Length < count)
        {
            throw new FormatException("record payload ends early");
        }
    }
}
