using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Edge.Agent.Runtime.Grpc;

/// <summary>
/// gRPC over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md) on a plain <see cref="HttpMessageHandler"/>: unary
/// calls (CRI) and a duplex stream (the node channel). Identity encoding only, deadlines sent as
/// <c>grpc-timeout</c> and enforced here. It replaces Grpc.Net.Client, whose generality (interceptors,
/// retries, logging, diagnostics, compression) the agent never used but carried in its binary and
/// paid for on every call.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private const int HeaderBytes = 5;
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private readonly HttpMessageInvoker _http;
    private readonly Uri _address;
    private readonly int _maxReceiveBytes;

    /// <param name="address">The authority and scheme (<c>http://</c> for h2c, <c>https://</c> for TLS); method paths go below it.</param>
    public GrpcClient(HttpMessageHandler handler, Uri address, int maxReceiveBytes)
    {
        _http = new HttpMessageInvoker(handler, disposeHandler: true);
        _address = address;
        _maxReceiveBytes = maxReceiveBytes;
    }

    /// <summary>One request, one response; a non-OK status becomes a <see cref="GrpcException"/>, the caller's cancellation an <see cref="OperationCanceledException"/>.</summary>
    public async Task<TResponse> UnaryAsync<TResponse>(string path, IMessage request, MessageParser<TResponse> parser, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var message = NewRequest(path, new ByteArrayContent(Frame(request)));
        message.Headers.TryAddWithoutValidation("grpc-timeout", Timeout(timeout));
        try
        {
            using var response = await _http.SendAsync(message, deadline.Token);
            var stream = await StartResponseAsync(response, deadline.Token);
            var body = await ReadMessageAsync(stream, _maxReceiveBytes, deadline.Token);
            if (body is not null && await stream.ReadAsync(new byte[1], deadline.Token) != 0)
            {
                throw new GrpcException(GrpcStatusCode.Internal, "more than one message in a unary response");
            }

            ThrowIfNotOk(StatusHeaders(response));
            return body is { } bytes
                ? parser.ParseFrom(bytes)
                : throw new GrpcException(GrpcStatusCode.Internal, "the response carried no message");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GrpcException(GrpcStatusCode.DeadlineExceeded, $"no answer within {timeout.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidProtocolBufferException)
        {
            throw Failed(e);
        }
    }

    /// <summary>Starts a bidirectional stream; the server's refusal shows on the first receive.</summary>
    public GrpcDuplexCall<TResponse> Duplex<TResponse>(string path, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        var content = new DuplexContent();
        var request = NewRequest(path, content);
        return new GrpcDuplexCall<TResponse>(_http, request, content, parser, _maxReceiveBytes, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage NewRequest(string path, HttpContent content)
    {
        content.Headers.ContentType = GrpcContentType;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TE.Add(Trailers);
        return request;
    }

    /// <summary>The message with gRPC's 5-byte prefix: flag 0 (not compressed), big-endian length.</summary>
    internal static byte[] Frame(IMessage message)
    {
        var length = message.CalculateSize();
        var bytes = new byte[HeaderBytes + length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)length);
        message.WriteTo(bytes.AsSpan(HeaderBytes));
        return bytes;
    }

    /// <summary>Checks the response headers (HTTP status, a trailers-only error) and opens the body.</summary>
    internal static async Task<Stream> StartResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // PROTOCOL-HTTP2.md: an HTTP error without gRPC status maps to a gRPC code.
            var code = (int)response.StatusCode switch
            {
                400 => GrpcStatusCode.Internal,
                401 => GrpcStatusCode.Unauthenticated,
                403 => GrpcStatusCode.PermissionDenied,
                404 => GrpcStatusCode.Unimplemented,
                429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
                _ => GrpcStatusCode.Unknown,
            };
            throw new GrpcException(code, $"HTTP status {(int)response.StatusCode}");
        }

        ThrowIfNotOk(response.Headers, allowMissing: true);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    /// <summary>The next message's bytes, or null at the end of the stream.</summary>
    internal static async Task<byte[]?> ReadMessageAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderBytes];
        var read = await stream.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderBytes)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "the stream ended inside a message header");
        }

        if (header[0] != 0)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "a compressed message (none was negotiated)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > (uint)maxBytes)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted, $"a message of {length} bytes exceeds the limit of {maxBytes}");
        }

        var body = new byte[length];
        if (await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken) < body.Length)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "the stream ended inside a message");
        }

        return body;
    }

    /// <summary>Where the status is: the trailers, or the headers of a trailers-only response.</summary>
    internal static HttpHeaders StatusHeaders(HttpResponseMessage response) =>
        response.TrailingHeaders.Contains("grpc-status") ? response.TrailingHeaders : response.Headers;

    /// <summary>Throws for a <c>grpc-status</c> other than 0; a missing status is an error only in trailers.</summary>
    internal static void ThrowIfNotOk(HttpHeaders headers, bool allowMissing = false)
    {
        if (!headers.TryGetValues("grpc-status", out var values))
        {
            if (allowMissing)
            {
                return;
            }

            throw new GrpcException(GrpcStatusCode.Internal, "the response ended without a grpc-status");
        }

        var text = values.FirstOrDefault();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new GrpcException(GrpcStatusCode.Internal, $"invalid grpc-status '{text}'");
        }

        if (code != 0)
        {
            var detail = headers.TryGetValues("grpc-message", out var messages) ? Uri.UnescapeDataString(messages.FirstOrDefault() ?? "") : "";
            throw new GrpcException((GrpcStatusCode)code, detail.Length > 0 ? detail : ((GrpcStatusCode)code).ToString());
        }
    }

    /// <summary>Transport failures are UNAVAILABLE, as gRPC libraries report them; protocol violations INTERNAL.</summary>
    internal static GrpcException Failed(Exception e) => e is InvalidProtocolBufferException
        ? new GrpcException(GrpcStatusCode.Internal, $"an unreadable message: {e.Message}", e)
        : new GrpcException(GrpcStatusCode.Unavailable, Innermost(e), e);

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    /// <summary>grpc-timeout: at most 8 digits and a unit.</summary>
    private static string Timeout(TimeSpan timeout)
    {
        var milliseconds = (long)Math.Ceiling(Math.Max(1, timeout.TotalMilliseconds));
        return milliseconds < 100_000_000
            ? milliseconds.ToString(CultureInfo.InvariantCulture) + "m"
            : Math.Min((long)Math.Ceiling(timeout.TotalSeconds), 99_999_999).ToString(CultureInfo.InvariantCulture) + "S";
    }

    /// <summary>The request body of a duplex call: the stream HTTP/2 gives it, held open until the call completes.</summary>
    internal sealed class DuplexContent : HttpContent
    {
        private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Stream> Stream => _stream.Task;

        public void Complete() => _complete.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _stream.TrySetResult(stream);
            await _complete.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            _stream.TrySetCanceled();
            Complete();
            base.Dispose(disposing);
        }
    }
}
