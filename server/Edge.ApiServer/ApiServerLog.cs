using Microsoft.Extensions.Logging;

namespace Edge.ApiServer;

internal static partial class ApiServerLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Unhandled failure serving {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, string method, string path, Exception exception);
}
