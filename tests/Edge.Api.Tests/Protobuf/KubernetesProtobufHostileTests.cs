using Edge.Api.Protobuf;
using static Edge.Api.Tests.Protobuf.ProtoWriter;

namespace Edge.Api.Tests.Protobuf;

public class KubernetesProtobufHostileTests
{
    static byte[] Namespace(ProtoWriter raw) => Envelope("v1", "Namespace", raw);

    static ProtobufFormatException Rejects(byte[] body) =>
        Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.Decode(body));

    [Fact]
    public void BadMagic_Rejected()
    {
        var body = Namespace(new ProtoWriter().Msg(1, ObjectMeta("x")));
        body[2] = (byte)'9';
        Assert.Contains("prefix", Rejects(body).Message);
        Rejects([]);
        Rejects("k8s"u8.ToArray());
    }

    [Fact]
    public void EveryTruncation_RejectedWithoutOtherExceptions()
    {
        var body = Namespace(new ProtoWriter().Msg(1, ObjectMeta("demo").Entry(11, "a", "b")).Msg(2, new ProtoWriter()));
        for (var length = 0; length < body.Length; length++)
        {
            try
            {
                KubernetesProtobuf.Decode(body.AsSpan(0, length));
            }
            catch (ProtobufFormatException)
            {
            }
        }

        Assert.Contains("runs past the end", Rejects(body[..20]).Message);
    }

    [Fact]
    public void TruncatedVarint_Rejected() =>
        Assert.Contains("truncated varint", Rejects([.. Namespace(new ProtoWriter()), 0x0A, 0x80]).Message);

    [Fact]
    public void OverlongVarint_Rejected() =>
        Rejects([.. "k8s\0"u8, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);

    [Fact]
    public void UnknownField_Rejected() =>
        Assert.Contains("unknown field number 99 in k8s.io.api.core.v1.Namespace",
            Rejects(Namespace(new ProtoWriter().Msg(1, ObjectMeta("x")).Str(99, "surprise"))).Message);

    [Fact]
    public void UnknownFieldInNestedMessage_Rejected() =>
        Assert.Contains("ObjectMeta", Rejects(Namespace(new ProtoWriter().Msg(1, ObjectMeta("x").Int(16, 1)))).Message);

    [Fact]
    public void WrongWireType_Rejected() =>
        Assert.Contains("wire type", Rejects(Namespace(new ProtoWriter().Int(1, 5))).Message);

    [Fact]
    public void GroupWireType_Rejected() => Rejects([.. Namespace(new ProtoWriter()), 0x0B]);

    [Fact]
    public void UnknownKind_Rejected()
    {
        Assert.Contains("no protobuf schema for kind Widget", Rejects(Envelope("example.com/v1", "Widget", new ProtoWriter())).Message);
        Rejects(Envelope("v1", "PodSpec", new ProtoWriter()));
        Rejects(Envelope("", "", new ProtoWriter()));
    }

    [Fact]
    public void InvalidUtf8_Rejected() =>
        Assert.Contains("UTF-8", Rejects(Namespace(new ProtoWriter().Msg(1, new ProtoWriter().Bytes(1, [0xC3, 0x28])))).Message);

    [Fact]
    public void ContentEncoding_Rejected()
    {
        byte[] body = [.. "k8s\0"u8, .. new ProtoWriter()
            .Msg(1, new ProtoWriter().Str(1, "v1").Str(2, "Namespace")).Msg(2, new ProtoWriter()).Str(3, "gzip").ToArray()];
        Assert.Contains("gzip", Rejects(body).Message);
    }

    [Fact]
    public void BadIntOrStringType_Rejected() =>
        Rejects(Envelope("v1", "Service", new ProtoWriter().Msg(2, new ProtoWriter()
            .Msg(1, new ProtoWriter().Msg(4, new ProtoWriter().Int(1, 7))))));

    [Fact]
    public void TimeOutOfRange_Rejected() =>
        Rejects(Namespace(new ProtoWriter().Msg(1, new ProtoWriter().Msg(8, new ProtoWriter().Int(1, long.MaxValue)))));

    [Fact]
    public void EmbeddedJsonMustBeValid() =>
        Rejects(Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Msg(2, new ProtoWriter().Bytes(1, "{nope"u8.ToArray()))));

    [Fact]
    public void DeepNesting_ThroughEmbeddedEnvelopes_Rejected()
    {
        // ControllerRevision.data may hold another protobuf envelope: the only recursion the schemas allow.
        var raw = new ProtoWriter();
        for (var i = 0; i < 200; i++)
        {
            var envelope = new ProtoWriter()
                .Msg(1, new ProtoWriter().Str(1, "apps/v1").Str(2, "ControllerRevision"))
                .Msg(2, raw);
            raw = new ProtoWriter().Msg(2, new ProtoWriter().Bytes(1, [.. "k8s\0"u8, .. envelope.ToArray()]));
        }

        Assert.Contains("deeper than 100", Rejects(Envelope("apps/v1", "ControllerRevision", raw)).Message);
    }

    [Fact]
    public void DeepNesting_InEmbeddedJson_Rejected()
    {
        var json = new string('[', 500) + new string(']', 500);
        Rejects(Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Msg(2, new ProtoWriter().Bytes(1, System.Text.Encoding.UTF8.GetBytes(json)))));
    }

    [Fact]
    public void ShallowEmbeddedEnvelope_Decodes()
    {
        var inner = new ProtoWriter()
            .Msg(1, new ProtoWriter().Str(1, "v1").Str(2, "ConfigMap"))
            .Msg(2, new ProtoWriter().Msg(1, ObjectMeta("cm")).Entry(2, "k", "v"));
        var decoded = KubernetesProtobuf.Decode(Envelope("apps/v1", "ControllerRevision",
            new ProtoWriter().Msg(2, new ProtoWriter().Bytes(1, [.. "k8s\0"u8, .. inner.ToArray()]))));

        Assert.Equal("v", (string?)decoded["data"]?["data"]?["k"]);
        Assert.Equal("ConfigMap", (string?)decoded["data"]?["kind"]);
    }

    [Fact]
    public void RandomBytes_OnlyEverThrowProtobufFormatException()
    {
        var random = new Random(1234);
        var seed = Namespace(new ProtoWriter().Msg(1, ObjectMeta("demo").Entry(11, "a", "b")).Msg(2, new ProtoWriter().Str(1, "kubernetes")));
        for (var i = 0; i < 5000; i++)
        {
            var body = (byte[])seed.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) body[random.Next(4, body.Length)] = (byte)random.Next(256);
            try
            {
                KubernetesProtobuf.Decode(body);
            }
            catch (ProtobufFormatException)
            {
            }
        }
    }
}
