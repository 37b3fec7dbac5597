using Grpc.Core;

namespace Edge.Agent.Runtime.Cri;

/// <summary>A CRI call failed: the runtime refused it, or the runtime could not be reached.</summary>
public sealed class CriException(string operation, StatusCode code, string detail, Exception? inner = null)
    : Exception($"{operation}: {detail}", inner)
{
    public string Operation { get; } = operation;

    public StatusCode Code { get; } = code;

    /// <summary>The runtime's own words, without the operation name (what goes into a pod's status message).</summary>
    public string Detail { get; } = detail;

    public bool IsNotFound => Code == StatusCode.NotFound;

    public bool IsUnavailable => Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded;
}
