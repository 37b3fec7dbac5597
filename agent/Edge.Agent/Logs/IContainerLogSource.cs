using Edge.NodeChannel.V1;

namespace Edge.Agent.Logs;

/// <summary>Finds the log a <see cref="LogRequest"/> names (<see cref="NodeLogSource"/> on a node).</summary>
public interface IContainerLogSource
{
    /// <summary>The log file and how to tell whether its container still runs; throws <see cref="LogUnavailableException"/> when there is none.</summary>
    Task<ContainerLogFile> OpenAsync(LogRequest request, CancellationToken cancellationToken);
}

/// <summary>One container instance's CRI log file; <see cref="StillRunning"/> says whether a follow should wait for more.</summary>
public sealed record ContainerLogFile(string Path, Func<CancellationToken, Task<bool>> StillRunning);

/// <summary>No log to serve; <see cref="Code"/> is the HTTP status the API answers with.</summary>
public sealed class LogUnavailableException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
