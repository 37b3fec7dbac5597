using Google.Protobuf;

namespace Edge.Agent.Runtime.Grpc;

/// <summary>One bidirectional gRPC stream. Sends may not overlap each other; a receive may run beside a send.</summary>
public sealed class GrpcDuplexCall<TResponse> : IAsyncDisposable
    where TResponse : IMessage<TResponse>
{
    private readonly HttpMessageInvoker _http;
    private readonly HttpRequestMessage _request;
    private readonly GrpcClient.DuplexContent _content;
    private readonly MessageParser<TResponse> _parser;
    private readonly int _maxReceiveBytes;
    private readonly CancellationTokenSource _call;
    private readonly Task<HttpResponseMessage> _response;
    private Stream? _responseStream;

    internal GrpcDuplexCall(HttpMessageInvoker http, HttpRequestMessage request, GrpcClient.DuplexContent content, MessageParser<TResponse> parser, int maxReceiveBytes, CancellationToken cancellationToken)
    {
        _http = http;
        _request = request;
        _content = content;
        _parser = parser;
        _maxReceiveBytes = maxReceiveBytes;
        _call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _response = _http.SendAsync(request, _call.Token);
    }

    public async Task SendAsync(IMessage message, CancellationToken cancellationToken)
    {
        try
        {
            // The request stream exists once the headers went out; a failed connection ends the response instead.
            var ready = await Task.WhenAny(_content.Stream, _response).WaitAsync(cancellationToken);
            if (ready != _content.Stream)
            {
                await StartAsync(cancellationToken);
                throw new GrpcException(GrpcStatusCode.Internal, "the server answered before the request was sent");
            }

            var stream = await _content.Stream;
            await stream.WriteAsync(GrpcClient.Frame(message), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or ObjectDisposedException)
        {
            throw GrpcClient.Failed(e);
        }
    }

    /// <summary>The next message; null when the server ended the stream with status OK.</summary>
    public async Task<TResponse?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stream = await StartAsync(cancellationToken);
            if (await GrpcClient.ReadMessageAsync(stream, _maxReceiveBytes, cancellationToken) is { } bytes)
            {
                return _parser.ParseFrom(bytes);
            }

            GrpcClient.ThrowIfNotOk(GrpcClient.StatusHeaders(await _response));
            return default;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidProtocolBufferException)
        {
            throw GrpcClient.Failed(e);
        }
    }

    private async Task<Stream> StartAsync(CancellationToken cancellationToken)
    {
        if (_responseStream is null)
        {
            var response = await _response.WaitAsync(cancellationToken);
            _responseStream = await GrpcClient.StartResponseAsync(response, cancellationToken);
        }

        return _responseStream;
    }

    public async ValueTask DisposeAsync()
    {
        // Ends the request body (END_STREAM), then abandons whatever the server still sends.
        _content.Complete();
        await _call.CancelAsync();
        try
        {
            (await _response).Dispose();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            // The call failed or was cut short: nothing left to release.
        }

        _request.Dispose();
        _call.Dispose();
    }
}
