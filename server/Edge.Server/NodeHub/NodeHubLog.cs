using Microsoft.Extensions.Logging;

namespace Edge.Server.NodeHub;

internal static partial class NodeHubLog
{
    [LoggerMessage(201, LogLevel.Information, "node {Node} connected (agent {Version}): snapshot at revision {Revision} with {Pods} pods")]
    public static partial void Snapshot(ILogger logger, string node, string version, long revision, int pods);

    [LoggerMessage(202, LogLevel.Information, "node {Node} connected (agent {Version}): resumed after revision {Revision}")]
    public static partial void Resumed(ILogger logger, string node, string version, long revision);

    [LoggerMessage(203, LogLevel.Information, "node {Node} disconnected: {Code} {Message}")]
    public static partial void Disconnected(ILogger logger, string node, int code, string message);

    [LoggerMessage(204, LogLevel.Warning, "refused a node channel from {Remote} ({Subject}): {Code} {Message}")]
    public static partial void Refused(ILogger logger, string remote, string subject, int code, string message);

    [LoggerMessage(205, LogLevel.Warning, "node {Node}: {What} of pod {Namespace}/{Name} failed: {Code} {Message}")]
    public static partial void WriteFailed(ILogger logger, string node, string what, string @namespace, string name, int code, string message);

    [LoggerMessage(206, LogLevel.Error, "node {Node}: the channel failed")]
    public static partial void Failed(ILogger logger, string node, Exception exception);
}
