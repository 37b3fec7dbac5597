using Edge.Agent.Identity;
using Edge.Agent.Run;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Edge.Agent.Channel;

/// <summary>
/// The node channel over gRPC: <c>edge.node.v1.NodeChannel/Connect</c> on the API server's port,
/// HTTP/2 with mutual TLS exactly as <see cref="NodeApiClient"/> (the node certificate, only the
/// cluster CA trusted). The identity is read afresh for every stream, so a certificate renewed
/// meanwhile is the one presented after the next reconnect.
/// </summary>
public sealed class GrpcNodeChannel(Uri server, Func<NodeIdentity> loadIdentity) : INodeChannelTransport
{
    /// <summary>HTTP/2 pings find a dead server (or NAT mapping) well before TCP would.</summary>
    public static readonly TimeSpan KeepAlivePingDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan KeepAlivePingTimeout = TimeSpan.FromSeconds(20);

    private static readonly Method<AgentMessage, ServerMessage> Connect = new(
        MethodType.DuplexStreaming,
        NodeChannelProtocol.ServiceName,
        NodeChannelProtocol.ConnectMethod,
        Marshallers.Create(m => m.ToByteArray(), AgentMessage.Parser.ParseFrom),
        Marshallers.Create(m => m.ToByteArray(), ServerMessage.Parser.ParseFrom));

    public Task<INodeChannelStream> OpenAsync(CancellationToken cancellationToken)
    {
        NodeIdentity identity;
        try
        {
            identity = loadIdentity();
        }
        catch (AgentException e)
        {
            throw new NodeChannelException($"cannot load the node identity: {e.Message}", e);
        }

        var handler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = KeepAlivePingDelay,
            KeepAlivePingTimeout = KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        var presented = NodeTls.Configure(handler.SslOptions, identity);
        var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = NodeChannelProtocol.MaxMessageBytes,
            MaxSendMessageSize = NodeChannelProtocol.MaxMessageBytes,
        });
        // The server answers only after the hello (HTTP/2 may hold the request's headers until the
        // first message), so a refused stream shows on the first receive, not here.
        var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(Connect, null, new CallOptions(cancellationToken: cancellationToken));
        return Task.FromResult<INodeChannelStream>(new Stream(call, channel, identity, presented));
    }

    /// <summary>gRPC and socket failures become <see cref="NodeChannelException"/>s; cancellation passes.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // Grpc.Net.Client reports our own cancellation as a status; the loops expect the usual exception.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw new NodeChannelException($"{e.StatusCode}: {e.Status.Detail}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw new NodeChannelException(e.Message, e);
        }
    }

    private sealed class Stream(
        AsyncDuplexStreamingCall<AgentMessage, ServerMessage> call, GrpcChannel channel, NodeIdentity identity,
        System.Security.Cryptography.X509Certificates.X509Certificate2 presented) : INodeChannelStream
    {
        public Task SendAsync(AgentMessage message, CancellationToken cancellationToken) =>
            Guard(async () =>
            {
                await call.RequestStream.WriteAsync(message, cancellationToken);
                return true;
            }, cancellationToken);

        public Task<ServerMessage?> ReceiveAsync(CancellationToken cancellationToken) =>
            Guard(async () => await call.ResponseStream.MoveNext(cancellationToken) ? call.ResponseStream.Current : null, cancellationToken);

        public ValueTask DisposeAsync()
        {
            call.Dispose();
            channel.Dispose();
            presented.Dispose();
            identity.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
