using System.Buffers;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Server.Tests.NodeHub;

public sealed class GrpcFrameTests
{
    private static byte[] Frame(AgentMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        GrpcFrame.Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void WriteThenRead_TwoMessagesInOneBuffer_RoundTrip()
    {
        var hello = new AgentMessage { Sequence = 1, Hello = new Hello { NodeName = "pi-1", AckedRevision = 42 } };
        var ack = new AgentMessage { Sequence = 2, Ack = new Ack { Revision = 43 } };
        var bytes = new ReadOnlySequence<byte>([.. Frame(hello), .. Frame(ack)]);

        Assert.True(GrpcFrame.TryRead(ref bytes, 1024, out var first));
        Assert.Equal(hello, AgentMessage.Parser.ParseFrom(first));
        Assert.True(GrpcFrame.TryRead(ref bytes, 1024, out var second));
        Assert.Equal(ack, AgentMessage.Parser.ParseFrom(second));
        Assert.True(bytes.IsEmpty);
    }

    [Fact]
    public void TryRead_PartialFrame_WaitsForMore()
    {
        var frame = Frame(new AgentMessage { Heartbeat = new Heartbeat(), Sequence = 9 });
        var partial = new ReadOnlySequence<byte>(frame[..^1]);

        Assert.False(GrpcFrame.TryRead(ref partial, 1024, out _));
        Assert.Equal(frame.Length - 1, partial.Length);
    }

    [Fact]
    public void TryRead_CompressedOrOversized_IsRefusedBeforeTheBody()
    {
        var compressed = new ReadOnlySequence<byte>(new byte[] { 1, 0, 0, 0, 3 });
        var huge = new ReadOnlySequence<byte>(new byte[] { 0, 0x7f, 0xff, 0xff, 0xff });

        Assert.Equal(GrpcStatusCodes.Unimplemented, Assert.Throws<GrpcFrameException>(() => GrpcFrame.TryRead(ref compressed, 1024, out _)).StatusCode);
        Assert.Equal(GrpcStatusCodes.ResourceExhausted, Assert.Throws<GrpcFrameException>(() => GrpcFrame.TryRead(ref huge, 1024, out _)).StatusCode);
    }
}
