using System.Buffers.Binary;

namespace Edge.Api.Protobuf;

internal enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 }

/// <summary>Reads protobuf wire data from a span; every malformation throws <see cref="ProtobufFormatException"/>.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> data)
{
    public const int MaxFieldNumber = (1 << 29) - 1;

    readonly ReadOnlySpan<byte> _data = data;
    int _position;

    public readonly bool End => _position >= _data.Length;

    public (int Number, WireType WireType) ReadTag()
    {
        var tag = ReadVarint();
        var number = tag >> 3;
        if (number is 0 or > MaxFieldNumber) throw new ProtobufFormatException($"invalid field number {number} at offset {_position}");
        var wireType = (WireType)(tag & 7);
        if (wireType is WireType.StartGroup or WireType.EndGroup || (int)wireType > 5)
            throw new ProtobufFormatException($"unsupported wire type {(int)wireType} for field {number}");
        return ((int)number, wireType);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length) throw new ProtobufFormatException("truncated varint");
            var b = _data[_position++];
            if (shift == 63 && b > 1) throw new ProtobufFormatException("varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }

        throw new ProtobufFormatException("varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw new ProtobufFormatException($"length {length} at offset {_position} runs past the end of the data");
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4) throw new ProtobufFormatException("truncated fixed32");
        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8) throw new ProtobufFormatException("truncated fixed64");
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }
}
