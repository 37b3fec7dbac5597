using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Protobuf;
using Edge.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Requests;

/// <summary>
/// Reads a request body within the size limit and turns JSON or YAML into a JSON tree. Every
/// malformed body is a 400 (or 413/415), never an exception of another kind.
/// </summary>
public static class RequestBody
{
    /// <summary>Upstream's limit on a request body (3 MiB).</summary>
    public const int MaxBytes = 3 * 1024 * 1024;

    /// <summary>Deeper documents are refused: they are hostile, and deep trees cost stack.</summary>
    public const int MaxDepth = 100;

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>The raw bytes, at most <see cref="MaxBytes"/>.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw ApiException.TooLarge("the request body is too large: limit is 3 MiB");
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var n ? (int)n : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                throw ApiException.TooLarge("the request body is too large: limit is 3 MiB");
            }
        }
    }

    /// <summary>The media type of the body without parameters, lower-cased ("" when absent).</summary>
    public static string MediaType(HttpRequest request)
    {
        var contentType = request.ContentType ?? "";
        var semicolon = contentType.IndexOf(';');
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    /// <summary>Parses JSON (or YAML for <c>application/yaml</c>) into a node; 400 when it is not well-formed.</summary>
    public static JsonNode? Parse(byte[] body, string mediaType)
    {
        if (mediaType == KubernetesProtobuf.MediaType)
        {
            // kubectl 1.32+ sends typed creates as Kubernetes protobuf and never falls back to JSON.
            try
            {
                return KubernetesProtobuf.Decode(body);
            }
            catch (ProtobufFormatException e)
            {
                throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
            }
        }

        if (mediaType is "application/yaml" or "application/apply-patch+yaml")
        {
            return YamlToJson.Convert(body);
        }

        return ToTree(ParseDocument(body));
    }

    /// <summary>
    /// The body as a JSON document (kept undisposed: trees made from it refer to its memory). One
    /// parse serves both field validation, which must see repeated keys, and the tree.
    /// </summary>
    public static JsonDocument ParseDocument(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {JsonMessage(e)}");
        }
    }

    /// <summary>
    /// The tree of a parsed body. Strings are decoded here, so invalid UTF-8 or a lone surrogate
    /// escape (<c>"\ud800"</c>) is a 400 now rather than an InvalidOperationException later, anywhere.
    /// </summary>
    public static JsonNode? ToTree(JsonDocument document)
    {
        try
        {
            return JsonTrees.From(document.RootElement);
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest("the body of the request could not be decoded: a string is not valid UTF-8 or holds an unpaired surrogate");
        }
    }

    /// <summary>The body as an object, as create and update need it.</summary>
    public static JsonObject ParseObject(byte[] body, string mediaType)
    {
        return Parse(body, mediaType) as JsonObject
            ?? throw ApiException.BadRequest("the body of the request was not a JSON object");
    }

    /// <summary>JSON bytes of the body whatever it came as, for field validation.</summary>
    public static byte[] AsJsonBytes(byte[] body, string mediaType, JsonNode? parsed) =>
        mediaType is "application/yaml" or "application/apply-patch+yaml" or KubernetesProtobuf.MediaType && parsed is not null
            ? JsonSerializer.SerializeToUtf8Bytes(parsed, JsonNodeContext.Default.JsonNode)
            : body;

    private static string JsonMessage(JsonException e) =>
        e.LineNumber is { } line ? $"invalid JSON at line {line + 1}, byte {e.BytePositionInLine + 1}" : "invalid JSON";
}
