using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Protobuf;

/// <summary>The apimachinery types whose JSON form is not an object of their fields.</summary>
internal static partial class ProtobufJsonDecoder
{
    const long MinUnixSeconds = -62135596800; // 0001-01-01T00:00:00Z
    const long MaxUnixSeconds = 253402300799; // 9999-12-31T23:59:59Z

    static JsonNode? ConvertWellKnown(ReadOnlySpan<byte> data, ProtoMessage message, int depth)
    {
        CheckDepth(depth);

        // Every well-known type has at most two varint fields (numbered 1 and 2) and one length-delimited one.
        ulong first = 0, second = 0;
        var any = false;
        ReadOnlySpan<byte> bytes = default;
        var reader = new WireReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (!message.Fields.TryGetValue(number, out var field))
                throw new ProtobufFormatException($"unknown field number {number} in {message.FullName}");
            ExpectWireType(wireType, ExpectedWireType(field.Type.Scalar), message, field);
            any = true;
            if (wireType == WireType.LengthDelimited) bytes = reader.ReadLengthDelimited();
            else if (number == 1) first = reader.ReadVarint();
            else second = reader.ReadVarint();
        }

        switch (message.WellKnown)
        {
            case WellKnownType.Time:
            case WellKnownType.MicroTime:
                // Go's zero time marshals to an empty message and its JSON is null.
                return any ? FormatTime((long)first, (long)second, message.WellKnown == WellKnownType.MicroTime) : null;
            case WellKnownType.Duration:
                return GoDuration.Format((long)first);
            case WellKnownType.Quantity:
                return bytes.IsEmpty ? "0" : Utf8(bytes, message, message.Fields[1]);
            case WellKnownType.IntOrString:
                return (long)first switch
                {
                    0 => JsonValue.Create((int)second),
                    1 => JsonValue.Create(Utf8(bytes, message, message.Fields[3])),
                    var type => throw new ProtobufFormatException($"IntOrString has unknown type {type}"),
                };
            case WellKnownType.RawExtension:
                if (bytes.IsEmpty) return null;
                return bytes.StartsWith(KubernetesProtobuf.Magic)
                    ? KubernetesProtobuf.DecodeEnvelope(bytes[KubernetesProtobuf.Magic.Length..], depth + 1)
                    : ParseJson(bytes, message, depth);
            case WellKnownType.FieldsV1:
                return bytes.IsEmpty ? null : ParseJson(bytes, message, depth);
            default:
                throw new InvalidOperationException($"{message.FullName} is not a well-known type.");
        }
    }

    static string FormatTime(long seconds, long nanos, bool micro)
    {
        if (seconds is < MinUnixSeconds or > MaxUnixSeconds)
            throw new ProtobufFormatException(string.Create(CultureInfo.InvariantCulture, $"time {seconds}s is outside years 1 to 9999"));
        if (nanos is < 0 or > 999_999_999)
            throw new ProtobufFormatException(string.Create(CultureInfo.InvariantCulture, $"time nanoseconds {nanos} out of range"));

        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        if (!micro) return time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return time.AddTicks(nanos / 1000 * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }

    static JsonNode? ParseJson(ReadOnlySpan<byte> bytes, ProtoMessage message, int depth)
    {
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = Math.Max(1, MaxDepth - depth) });
        }
        catch (JsonException e)
        {
            throw new ProtobufFormatException($"{message.FullName} does not hold valid JSON: {e.Message}", e);
        }
    }
}
