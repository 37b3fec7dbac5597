namespace Edge.Server.NodeHub;

/// <summary>Ends one node's stream with this gRPC status; the hub and every other stream go on.</summary>
public sealed class NodeChannelException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
