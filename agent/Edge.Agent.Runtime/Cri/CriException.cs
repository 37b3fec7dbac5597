using Edge.Agent.Runtime.Grpc;

namespace Edge.Agent.Runtime.Cri;

/// <summary>A CRI call failed: the runtime refused it, or the runtime could not be reached.</summary>
public sealed class CriException(string operation, GrpcStatusCode code, string detail, Exception? inner = null)
    : Exception($"{operation}: {detail}", inner)
{
    public string Operation { get; } = operation;

    public GrpcStatusCode Code { get; } = code;

    /// <summary>The runtime's own words, without the operation name (what goes into a pod's status message).</summary>
    public string Detail { get; } = detail;

    public bool IsNotFound => Code == GrpcStatusCode.NotFound;

    public bool IsUnavailable => Code is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded;
}
