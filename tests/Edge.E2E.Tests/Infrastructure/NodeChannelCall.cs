using System.Security.Cryptography.X509Certificates;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>One Connect stream to a running server, as a test drives it: send envelopes, read the next with a deadline.</summary>
public sealed class NodeChannelCall : IAsyncDisposable
{
    private static readonly Method<AgentMessage, ServerMessage> Connect = new(
        MethodType.DuplexStreaming, NodeChannelProtocol.ServiceName, NodeChannelProtocol.ConnectMethod,
        Marshallers.Create(m => m.ToByteArray(), AgentMessage.Parser.ParseFrom),
        Marshallers.Create(m => m.ToByteArray(), ServerMessage.Parser.ParseFrom));

    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, ServerMessage> _call;
    private ulong _sequence;

    private NodeChannelCall(ServerProcess server, X509Certificate2? certificate)
    {
        var http = server.CreateClient(certificate);
        http.Timeout = Timeout.InfiniteTimeSpan;
        _channel = GrpcChannel.ForAddress($"https://127.0.0.1:{server.Port}", new GrpcChannelOptions
        {
            HttpClient = http,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = NodeChannelProtocol.MaxMessageBytes,
        });
        _call = _channel.CreateCallInvoker().AsyncDuplexStreamingCall(Connect, null, new CallOptions());
    }

    public static NodeChannelCall Open(ServerProcess server, X509Certificate2? certificate) => new(server, certificate);

    public async Task<ServerMessage> HelloAsync(string node, long ackedRevision)
    {
        await SendHelloAsync(node, ackedRevision);
        return await NextAsync();
    }

    public Task SendHelloAsync(string node, long ackedRevision) =>
        SendAsync(new AgentMessage { Hello = new Hello { NodeName = node, AckedRevision = ackedRevision, AgentVersion = "e2e" } });

    public Task SendAsync(AgentMessage message)
    {
        message.Sequence = ++_sequence;
        return _call.RequestStream.WriteAsync(message);
    }

    public ulong LastSequence => _sequence;

    /// <summary>The next message, or a TimeoutException after <paramref name="timeout"/> (10 s).</summary>
    public async Task<ServerMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _call.ResponseStream.MoveNext(deadline.Token)
                ? _call.ResponseStream.Current
                : throw new InvalidOperationException($"the server ended the stream: {_call.GetStatus()}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && deadline.IsCancellationRequested)
        {
            throw new TimeoutException("no message from the server in time");
        }
    }

    /// <summary>The next message of one kind, skipping bare progress deltas and others.</summary>
    public async Task<ServerMessage> NextAsync(ServerMessage.BodyOneofCase kind)
    {
        while (true)
        {
            var message = await NextAsync();
            if (message.BodyCase == kind)
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _call.RequestStream.CompleteAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _call.Dispose();
        _channel.Dispose();
    }
}
