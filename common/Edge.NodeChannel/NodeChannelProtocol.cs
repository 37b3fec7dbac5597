namespace Edge.NodeChannel;

/// <summary>The names both ends of the gRPC transport agree on, and the gRPC status codes the hub answers with.</summary>
public static class NodeChannelProtocol
{
    public const string ServiceName = "edge.node.v1.NodeChannel";
    public const string ConnectMethod = "Connect";

    /// <summary>The HTTP/2 path of the Connect call.</summary>
    public const string ConnectPath = "/" + ServiceName + "/" + ConnectMethod;

    public const string ContentType = "application/grpc";

    /// <summary>
    /// The largest message either side accepts. A snapshot carries every pod of the node with the
    /// ConfigMaps and Secrets they use (each up to 1 MiB), far more than gRPC's usual 4 MiB.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>The most log bytes one <c>LogChunk</c> carries: lines that came together travel together, up to this.</summary>
    public const int LogChunkBytes = 32 * 1024;

    /// <summary>
    /// Log chunks in flight per stream before the server grants more: 256 KiB keeps a follow
    /// smooth over a slow link, and bounds what the hub holds for one slow <c>kubectl logs</c>.
    /// </summary>
    public const uint LogWindow = 8;
}

/// <summary>The gRPC status codes (grpc/doc/statuscodes.md) the node channel uses.</summary>
public static class GrpcStatusCodes
{
    public const int Ok = 0;
    public const int Cancelled = 1;
    public const int InvalidArgument = 3;
    public const int PermissionDenied = 7;
    public const int ResourceExhausted = 8;
    public const int FailedPrecondition = 9;
    public const int Unimplemented = 12;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;
}
