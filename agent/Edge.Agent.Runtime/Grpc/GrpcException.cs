namespace Edge.Agent.Runtime.Grpc;

/// <summary>A call ended with a status other than OK (the peer's, or the client's own for a transport failure or deadline).</summary>
public sealed class GrpcException(GrpcStatusCode code, string detail, Exception? inner = null) : Exception($"{code}: {detail}", inner)
{
    public GrpcStatusCode Code { get; } = code;

    /// <summary>The peer's <c>grpc-message</c>, or what went wrong locally.</summary>
    public string Detail { get; } = detail;
}
