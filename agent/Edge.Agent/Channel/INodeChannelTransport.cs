using Edge.NodeChannel.V1;

namespace Edge.Agent.Channel;

/// <summary>
/// How the agent reaches NodeHub: one stream of envelopes each way. gRPC today
/// (<see cref="GrpcNodeChannel"/>); MQTT carries the same envelopes later. Failures are
/// <see cref="NodeChannelException"/>s; cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public interface INodeChannelTransport
{
    /// <summary>Opens a stream; a refusal by the server shows on the first send or receive.</summary>
    Task<INodeChannelStream> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>One open stream. Sends may not overlap; receives may run beside sends.</summary>
public interface INodeChannelStream : IAsyncDisposable
{
    Task SendAsync(AgentMessage message, CancellationToken cancellationToken);

    /// <summary>The next message; null when the server ended the stream without an error.</summary>
    Task<ServerMessage?> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>The stream failed or the server broke the protocol; the client reconnects.</summary>
public sealed class NodeChannelException(string message, Exception? inner = null) : Exception(message, inner);
