using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Api.Protobuf;

/// <summary>
/// Reads request bodies in Kubernetes' protobuf encoding, which kubectl 1.32+ uses for typed writes
/// and which cannot be refused with 415. The body is the magic <c>k8s\0</c> and a
/// <c>runtime.Unknown</c> envelope whose <c>raw</c> is the object's own protobuf; the result is the
/// JSON tree a JSON client would have sent for the same object.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    internal static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    const string DeleteOptions = "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions";

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a whole request body; throws only <see cref="ProtobufFormatException"/>.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
            throw new ProtobufFormatException("body does not start with the Kubernetes protobuf prefix k8s\\0");
        try
        {
            return DecodeEnvelope(body[Magic.Length..], depth: 1);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException or JsonException)
        {
            // Defence in depth: the decoder is meant to throw only ProtobufFormatException.
            throw new ProtobufFormatException($"malformed protobuf body: {e.Message}", e);
        }
    }

    /// <summary>Decodes a <c>runtime.Unknown</c> (the bytes after the magic prefix) into a typed JSON object.</summary>
    internal static JsonObject DecodeEnvelope(ReadOnlySpan<byte> envelope, int depth)
    {
        ProtobufJsonDecoder.CheckDepth(depth);
        string apiVersion = "", kind = "", contentEncoding = "", contentType = "";
        ReadOnlySpan<byte> raw = default;
        var reader = new WireReader(envelope);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (wireType != WireType.LengthDelimited || number > 4)
                throw new ProtobufFormatException($"unexpected field {number} (wire type {(int)wireType}) in the runtime.Unknown envelope");
            var bytes = reader.ReadLengthDelimited();
            switch (number)
            {
                case 1:
                    ReadTypeMeta(bytes, ref apiVersion, ref kind);
                    break;
                case 2:
                    raw = bytes;
                    break;
                case 3:
                    contentEncoding = Text(bytes);
                    break;
                default:
                    contentType = Text(bytes);
                    break;
            }
        }

        if (contentEncoding.Length != 0)
            throw new ProtobufFormatException($"content encoding '{contentEncoding}' is not supported");
        if (contentType.Length != 0 && contentType != MediaType)
            throw new ProtobufFormatException($"embedded content type '{contentType}' is not supported");
        if (kind.Length == 0 || apiVersion.Length == 0)
            throw new ProtobufFormatException("the envelope names no apiVersion and kind");

        var message = FindKind(apiVersion, kind)
            ?? throw new ProtobufFormatException($"no protobuf schema for kind {kind} in {apiVersion}");
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        ProtobufJsonDecoder.DecodeInto(raw, message, result, depth + 1);
        return result;
    }

    /// <summary>
    /// The message of a kind: <c>k8s.io.api.&lt;group&gt;.&lt;version&gt;.&lt;Kind&gt;</c>, core for the
    /// empty group. DeleteOptions is registered in every group version upstream.
    /// </summary>
    static ProtoMessage? FindKind(string apiVersion, string kind)
    {
        var schemas = ProtoSchemaSet.Instance;
        if (kind == "DeleteOptions") return schemas.Find(DeleteOptions);

        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        var package = "k8s.io.api." + PackageOf(group);
        var message = schemas.Find(package + "." + version + "." + kind);

        // Only objects (metadata first) are request bodies; nested types such as PodSpec are not kinds.
        return message is not null && message.Fields.TryGetValue(1, out var first) && first.Name == "metadata" ? message : null;
    }

    /// <summary>
    /// The Go package of a built-in group: its first label (<c>rbac.authorization.k8s.io</c> is
    /// <c>rbac</c>, <c>coordination.k8s.io</c> is <c>coordination</c>), <c>core</c> for the legacy group.
    /// </summary>
    public static string PackageOf(string group)
    {
        if (group.Length == 0) return "core";
        var dot = group.IndexOf('.');
        return dot < 0 ? group : group[..dot];
    }

    static void ReadTypeMeta(ReadOnlySpan<byte> data, ref string apiVersion, ref string kind)
    {
        var reader = new WireReader(data);
        while (!reader.End)
        {
            var (number, wireType) = reader.ReadTag();
            if (wireType != WireType.LengthDelimited || number > 2)
                throw new ProtobufFormatException($"unexpected field {number} (wire type {(int)wireType}) in the envelope's TypeMeta");
            var text = Text(reader.ReadLengthDelimited());
            if (number == 1) apiVersion = text;
            else kind = text;
        }
    }

    static string Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtobufFormatException("envelope text is not valid UTF-8", e);
        }
    }
}
