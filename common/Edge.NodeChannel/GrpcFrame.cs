using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Edge.NodeChannel;

/// <summary>
/// gRPC's length-prefixed message framing (grpc/doc/PROTOCOL-HTTP2.md): one byte "compressed"
/// flag, a 4-byte big-endian length, then the message. The hub reads and writes frames over
/// Kestrel's pipes with it. The agent's own client (agent/Edge.Agent.Runtime/Grpc) reads the same
/// header from a response Stream, not a pipe, for CRI as well as this channel; the runtime does
/// not reference this project.
/// </summary>
public static class GrpcFrame
{
    public const int HeaderBytes = 5;

    /// <summary>Appends <paramref name="message"/> as one uncompressed frame.</summary>
    public static void Write(IBufferWriter<byte> output, IMessage message)
    {
        var length = message.CalculateSize();
        var span = output.GetSpan(HeaderBytes + length);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        message.WriteTo(span.Slice(HeaderBytes, length));
        output.Advance(HeaderBytes + length);
    }

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>: false when more bytes are
    /// needed. Throws <see cref="GrpcFrameException"/> for a compressed frame (none was negotiated)
    /// or one longer than <paramref name="maxLength"/>, before waiting for its body.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderBytes)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        if (header[0] != 0)
        {
            throw new GrpcFrameException(GrpcStatusCodes.Unimplemented, header[0] == 1
                ? "compressed messages are not supported (grpc-accept-encoding: identity)"
                : $"invalid frame flag {header[0]}");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxLength)
        {
            throw new GrpcFrameException(GrpcStatusCodes.ResourceExhausted, $"message of {length} bytes exceeds the limit of {maxLength}");
        }

        if (buffer.Length < HeaderBytes + length)
        {
            return false;
        }

        payload = buffer.Slice(HeaderBytes, length);
        buffer = buffer.Slice(HeaderBytes + length);
        return true;
    }
}

/// <summary>A frame that breaks the protocol; <see cref="StatusCode"/> is the gRPC status to end the call with.</summary>
public sealed class GrpcFrameException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
