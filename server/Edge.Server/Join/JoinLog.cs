using Microsoft.Extensions.Logging;

namespace Edge.Server.Join;

internal static partial class JoinLog
{
    [LoggerMessage(101, LogLevel.Information, "node {Node} joined with token {TokenId}; certificate valid until {NotAfter:O}")]
    public static partial void Joined(ILogger logger, string node, string tokenId, DateTime notAfter);

    [LoggerMessage(102, LogLevel.Information, "node {Node} renewed its certificate; valid until {NotAfter:O}")]
    public static partial void Renewed(ILogger logger, string node, DateTime notAfter);

    [LoggerMessage(103, LogLevel.Warning, "refused {Path} from {Remote}: {Code} {Message}")]
    public static partial void Refused(ILogger logger, string path, string remote, int code, string message);

    [LoggerMessage(104, LogLevel.Error, "{Path} failed")]
    public static partial void Failed(ILogger logger, string path, Exception exception);
}
