using Edge.Agent.Identity;
using Edge.Agent.Run;
using Edge.Agent.Runtime.Grpc;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

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
        var client = new GrpcClient(handler, server, NodeChannelProtocol.MaxMessageBytes);
        // The server answers only after the hello (HTTP/2 may hold the request's headers until the
        // first message), so a refused stream shows on the first receive, not here.
        var call = client.Duplex(NodeChannelProtocol.ConnectPath, ServerMessage.Parser, cancellationToken);
        return Task.FromResult<INodeChannelStream>(new Stream(call, client, identity, presented));
    }

    /// <summary>gRPC and socket failures become <see cref="NodeChannelException"/>s; cancellation passes.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (GrpcException e)
        {
            throw new NodeChannelException($"{e.Code}: {e.Detail}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            throw new NodeChannelException(e.Message, e);
        }
    }

    private sealed class Stream(
        GrpcDuplexCall<ServerMessage> call, GrpcClient client, NodeIdentity identity,
        System.Security.Cryptography.X509Certificates.X509Certificate2 presented) : INodeChannelStream
    {
        public Task SendAsync(AgentMessage message, CancellationToken cancellationToken) =>
            Guard(async () =>
            {
                await call.SendAsync(message, cancellationToken);
                return true;
            });

        public Task<ServerMessage?> ReceiveAsync(CancellationToken cancellationToken) =>
            Guard(() => call.ReceiveAsync(cancellationToken));

        public async ValueTask DisposeAsync()
        {
            await call.DisposeAsync();
            client.Dispose();
            presented.Dispose();
            identity.Dispose();
        }
    }
}
