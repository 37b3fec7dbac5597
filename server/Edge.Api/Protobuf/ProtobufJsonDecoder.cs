using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Edge.Api.Protobuf;

/// <summary>
/// Turns protobuf wire data into the JSON tree Kubernetes' JSON encoding of the same object would
/// give, driven by a <see cref="ProtoMessage"/>. Recursion is bounded by <see cref="MaxDepth"/>.
/// </summary>
internal static partial class ProtobufJsonDecoder
{
    /// <summary>The deepest nesting of messages (and embedded JSON) accepted.</summary>
    public const int MaxDepth = 100;

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="data"/> as <paramref name="message"/>, adding its fields to <paramref name="target"/>.</summary>
    public static void DecodeInto(ReadOnlySpan<byte> data, ProtoMessage message, JsonObject target, int depth)
    {
        CheckDepth(depth);
        var reader = new WireReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (!message.Fields.TryGetValue(number, out var field))
                throw new ProtobufFormatException($"unknown field number {number} in {message.FullName}");
            switch (field.Label)
            {
                case ProtoLabel.Map:
                    ReadMapEntry(ref reader, wireType, message, field, target, depth);
                    break;
                case ProtoLabel.Repeated:
                    ReadRepeated(ref reader, wireType, message, field, target, depth);
                    break;
                default:
                    ReadSingle(ref reader, wireType, message, field, target, depth);
                    break;
            }
        }
    }

    public static void CheckDepth(int depth)
    {
        if (depth > MaxDepth) throw new ProtobufFormatException($"protobuf nesting deeper than {MaxDepth}");
    }

    static void ReadSingle(ref WireReader reader, WireType wireType, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        if (field.Type.Scalar != ProtoScalar.Message)
        {
            var value = ReadScalar(ref reader, wireType, field.Type.Scalar, message, field, out var isZero);
            if (isZero && !field.Nullable) target.Remove(field.JsonName);
            else target[field.JsonName] = value;
            return;
        }

        ExpectWireType(wireType, WireType.LengthDelimited, message, field);
        var bytes = reader.ReadLengthDelimited();
        var nested = field.Type.ResolvedMessage;
        if (field.Inline)
        {
            DecodeInto(bytes, nested, target, depth + 1);
        }
        else if (nested.WellKnown != WellKnownType.None)
        {
            target[field.JsonName] = ConvertWellKnown(bytes, nested, depth + 1);
        }
        else
        {
            // A message field seen twice merges, as protobuf requires.
            if (target[field.JsonName] is not JsonObject existing)
            {
                existing = [];
                target[field.JsonName] = existing;
            }

            DecodeInto(bytes, nested, existing, depth + 1);
        }
    }

    static void ReadRepeated(ref WireReader reader, WireType wireType, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        if (target[field.JsonName] is not JsonArray array)
        {
            array = [];
            target[field.JsonName] = array;
        }

        var scalar = field.Type.Scalar;
        if (scalar == ProtoScalar.Message)
        {
            ExpectWireType(wireType, WireType.LengthDelimited, message, field);
            array.Add(DecodeValueMessage(reader.ReadLengthDelimited(), field.Type.ResolvedMessage, depth + 1));
        }
        else if (wireType == WireType.LengthDelimited && scalar is not (ProtoScalar.String or ProtoScalar.Bytes))
        {
            // Packed encoding: a run of scalars without tags.
            var packed = new WireReader(reader.ReadLengthDelimited());
            var expected = ExpectedWireType(scalar);
            while (!packed.End) array.Add(ReadScalar(ref packed, expected, scalar, message, field, out _));
        }
        else
        {
            array.Add(ReadScalar(ref reader, wireType, scalar, message, field, out _));
        }
    }

    static void ReadMapEntry(ref WireReader reader, WireType wireType, ProtoMessage message, ProtoField field, JsonObject target, int depth)
    {
        ExpectWireType(wireType, WireType.LengthDelimited, message, field);
        var entry = new WireReader(reader.ReadLengthDelimited());
        if (target[field.JsonName] is not JsonObject map)
        {
            map = [];
            target[field.JsonName] = map;
        }

        var key = "";
        JsonNode? value = null;
        var hasValue = false;
        while (!entry.End)
        {
            var (number, entryWireType) = entry.ReadTag();
            if (number == 1)
            {
                key = MapKeyText(ReadScalar(ref entry, entryWireType, field.MapKey, message, field, out _), field.MapKey);
            }
            else if (number == 2)
            {
                if (field.Type.Scalar == ProtoScalar.Message)
                {
                    ExpectWireType(entryWireType, WireType.LengthDelimited, message, field);
                    value = DecodeValueMessage(entry.ReadLengthDelimited(), field.Type.ResolvedMessage, depth + 1);
                }
                else
                {
                    value = ReadScalar(ref entry, entryWireType, field.Type.Scalar, message, field, out _);
                }

                hasValue = true;
            }
            else
            {
                throw new ProtobufFormatException($"unknown field number {number} in a map entry of {message.FullName}.{field.Name}");
            }
        }

        if (!hasValue)
        {
            value = field.Type.Scalar == ProtoScalar.Message
                ? DecodeValueMessage([], field.Type.ResolvedMessage, depth + 1)
                : ZeroValue(field.Type.Scalar);
        }

        map[key] = value;
    }

    /// <summary>A message standing alone (list item, map value): a well-known form or an object.</summary>
    static JsonNode? DecodeValueMessage(ReadOnlySpan<byte> bytes, ProtoMessage message, int depth)
    {
        if (message.WellKnown != WellKnownType.None) return ConvertWellKnown(bytes, message, depth);
        var node = new JsonObject();
        DecodeInto(bytes, message, node, depth);
        return node;
    }

    static JsonNode ReadScalar(ref WireReader reader, WireType wireType, ProtoScalar scalar, ProtoMessage message, ProtoField field, out bool isZero)
    {
        ExpectWireType(wireType, ExpectedWireType(scalar), message, field);
        switch (scalar)
        {
            case ProtoScalar.Int32:
                var int32 = (int)reader.ReadVarint();
                isZero = int32 == 0;
                return JsonValue.Create(int32);
            case ProtoScalar.Int64:
                var int64 = (long)reader.ReadVarint();
                isZero = int64 == 0;
                return JsonValue.Create(int64);
            case ProtoScalar.UInt32:
                var uint32 = (uint)reader.ReadVarint();
                isZero = uint32 == 0;
                return JsonValue.Create(uint32);
            case ProtoScalar.UInt64:
                var uint64 = reader.ReadVarint();
                isZero = uint64 == 0;
                return JsonValue.Create(uint64);
            case ProtoScalar.SInt32:
                var zigzag32 = (uint)reader.ReadVarint();
                var sint32 = (int)(zigzag32 >> 1) ^ -(int)(zigzag32 & 1);
                isZero = sint32 == 0;
                return JsonValue.Create(sint32);
            case ProtoScalar.SInt64:
                var zigzag64 = reader.ReadVarint();
                var sint64 = (long)(zigzag64 >> 1) ^ -(long)(zigzag64 & 1);
                isZero = sint64 == 0;
                return JsonValue.Create(sint64);
            case ProtoScalar.Bool:
                var flag = reader.ReadVarint() != 0;
                isZero = !flag;
                return JsonValue.Create(flag);
            case ProtoScalar.Fixed32:
                var fixed32 = reader.ReadFixed32();
                isZero = fixed32 == 0;
                return JsonValue.Create(fixed32);
            case ProtoScalar.SFixed32:
                var sfixed32 = (int)reader.ReadFixed32();
                isZero = sfixed32 == 0;
                return JsonValue.Create(sfixed32);
            case ProtoScalar.Fixed64:
                var fixed64 = reader.ReadFixed64();
                isZero = fixed64 == 0;
                return JsonValue.Create(fixed64);
            case ProtoScalar.SFixed64:
                var sfixed64 = (long)reader.ReadFixed64();
                isZero = sfixed64 == 0;
                return JsonValue.Create(sfixed64);
            case ProtoScalar.Float:
                var single = BitConverter.UInt32BitsToSingle(reader.ReadFixed32());
                if (!float.IsFinite(single)) throw new ProtobufFormatException($"{message.FullName}.{field.Name}: {single} has no JSON form");
                isZero = single == 0;
                return JsonValue.Create(single);
            case ProtoScalar.Double:
                var dbl = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                if (!double.IsFinite(dbl)) throw new ProtobufFormatException($"{message.FullName}.{field.Name}: {dbl} has no JSON form");
                isZero = dbl == 0;
                return JsonValue.Create(dbl);
            case ProtoScalar.String:
                var bytes = reader.ReadLengthDelimited();
                isZero = bytes.IsEmpty;
                return JsonValue.Create(Utf8(bytes, message, field));
            case ProtoScalar.Bytes:
                var raw = reader.ReadLengthDelimited();
                isZero = raw.IsEmpty;
                return JsonValue.Create(Convert.ToBase64String(raw));
            default:
                throw new InvalidOperationException($"Scalar {scalar} is not a scalar.");
        }
    }

    static JsonNode ZeroValue(ProtoScalar scalar) => scalar switch
    {
        ProtoScalar.Bool => JsonValue.Create(false),
        ProtoScalar.String or ProtoScalar.Bytes => JsonValue.Create(""),
        _ => JsonValue.Create(0),
    };

    static string MapKeyText(JsonNode key, ProtoScalar scalar) =>
        scalar == ProtoScalar.String ? key.GetValue<string>() : key.ToJsonString();

    static string Utf8(ReadOnlySpan<byte> bytes, ProtoMessage message, ProtoField field)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtobufFormatException($"{message.FullName}.{field.Name}: string is not valid UTF-8", e);
        }
    }

    static WireType ExpectedWireType(ProtoScalar scalar) => scalar switch
    {
        ProtoScalar.Double or ProtoScalar.Fixed64 or ProtoScalar.SFixed64 => WireType.Fixed64,
        ProtoScalar.Float or ProtoScalar.Fixed32 or ProtoScalar.SFixed32 => WireType.Fixed32,
        ProtoScalar.String or ProtoScalar.Bytes or ProtoScalar.Message => WireType.LengthDelimited,
        _ => WireType.Varint,
    };

    static void ExpectWireType(WireType actual, WireType expected, ProtoMessage message, ProtoField field)
    {
        if (actual != expected)
        {
            throw new ProtobufFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{message.FullName}.{field.Name} (field {field.Number}) has wire type {(int)actual}, expected {(int)expected}"));
        }
    }
}
