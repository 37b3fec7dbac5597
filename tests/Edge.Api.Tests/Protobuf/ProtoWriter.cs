using Google.Protobuf;

namespace Edge.Api.Tests.Protobuf;

/// <summary>Hand-encodes protobuf messages for tests, field by field, as gogo-protobuf would.</summary>
sealed class ProtoWriter
{
    readonly MemoryStream _buffer = new();
    readonly CodedOutputStream _output;

    public ProtoWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter Str(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtoWriter Bytes(int field, byte[] value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoWriter Int(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoWriter Bool(int field, bool value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteBool(value);
        return this;
    }

    public ProtoWriter Msg(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A map entry: key 1, value 2.</summary>
    public ProtoWriter Entry(int field, string key, string value) => Msg(field, new ProtoWriter().Str(1, key).Str(2, value));

    public ProtoWriter Entry(int field, string key, byte[] value) => Msg(field, new ProtoWriter().Str(1, key).Bytes(2, value));

    public ProtoWriter Entry(int field, string key, ProtoWriter value) => Msg(field, new ProtoWriter().Str(1, key).Msg(2, value));

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }

    /// <summary>A whole request body: magic, then runtime.Unknown with the object as raw.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoWriter raw) =>
        [.. "k8s\0"u8, .. new ProtoWriter()
            .Msg(1, new ProtoWriter().Str(1, apiVersion).Str(2, kind))
            .Msg(2, raw)
            .Str(3, "")
            .Str(4, "")
            .ToArray()];

    public static ProtoWriter ObjectMeta(string name, string? ns = null)
    {
        var meta = new ProtoWriter().Str(1, name).Str(2, "");
        if (ns is not null) meta.Str(3, ns);
        return meta.Str(4, "").Str(5, "").Str(6, "").Int(7, 0).Msg(8, new ProtoWriter());
    }

    public static ProtoWriter Quantity(string value) => new ProtoWriter().Str(1, value);

    public static ProtoWriter IntOrString(int value) => new ProtoWriter().Int(1, 0).Int(2, value).Str(3, "");

    public static ProtoWriter IntOrString(string value) => new ProtoWriter().Int(1, 1).Int(2, 0).Str(3, value);
}
