using Microsoft.Extensions.Logging;

namespace Edge.Server.Hosting;

internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "edge-server {Version} starting, data dir {DataDir}")]
    public static partial void Starting(ILogger logger, string version, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "certificates: {Change}")]
    public static partial void CertificateChange(ILogger logger, string change);

    [LoggerMessage(3, LogLevel.Information, "wrote admin kubeconfig {Path}")]
    public static partial void WroteKubeconfig(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Information, "API ready on https://{Address}:{Port} after {Milliseconds} ms")]
    public static partial void Ready(ILogger logger, string address, int port, long milliseconds);

    [LoggerMessage(5, LogLevel.Information, "shutting down")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(6, LogLevel.Debug, "refused client certificate {Subject}: {Reason}")]
    public static partial void ClientCertificateRefused(ILogger logger, string subject, string reason);
}
