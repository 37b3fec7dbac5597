using System.Net;
using Edge.ApiServer.Limits;
using Edge.Cli;
using Edge.Server.Cli;
using Microsoft.Extensions.Logging;

namespace Edge.Server;

/// <summary>The settled options of <c>edge-server server</c>.</summary>
public sealed record ServerOptions
{
    /// <summary>State directory (certificates, token, store). Default <c>/var/lib/edge/server</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>HTTPS port of the API. Default 6443.</summary>
    public required int HttpsListenPort { get; init; }

    /// <summary>Listen address; 0.0.0.0 means every address, IPv4 and IPv6.</summary>
    public required IPAddress BindAddress { get; init; }

    /// <summary>Extra names for the serving certificate.</summary>
    public IReadOnlyList<string> TlsSans { get; init; } = [];

    /// <summary>Admin kubeconfig path. Default <c>/etc/edge/edge.yaml</c>.</summary>
    public required string KubeconfigPath { get; init; }

    /// <summary>Admin kubeconfig mode. Default 0600.</summary>
    public UnixFileMode KubeconfigMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>etcd endpoints; empty means the embedded store in <c>&lt;data-dir&gt;/db</c>.</summary>
    public IReadOnlyList<string> DatastoreEndpoints { get; init; } = [];

    public string? DatastoreCaFile { get; init; }

    public string? DatastoreCertFile { get; init; }

    public string? DatastoreKeyFile { get; init; }

    /// <summary>Scheduled snapshots of the embedded store; zero turns them off. Default 12 h.</summary>
    public TimeSpan SnapshotInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Scheduled snapshots kept. Default 5.</summary>
    public int SnapshotRetention { get; init; } = 5;

    /// <summary>Where scheduled snapshots go. Default <c>&lt;data-dir&gt;/snapshots</c>.</summary>
    public string? SnapshotDir { get; init; }

    /// <summary>Heartbeat silence after which a node is Unknown. Default 40 s.</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>The pods' address range, cut into a /24 per node. Default 10.42.0.0/16 (as k3s).</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    /// <summary>How often node heartbeats are checked. Default 5 s.</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-client rate, in-flight limit and request timeout of the API.</summary>
    public ApiLimits ApiLimits { get; init; } = new();

    /// <summary>The audit log file; none when null.</summary>
    public string? AuditLogPath { get; init; }

    /// <summary>Lifetime of the client certificates issued to nodes. Default one year.</summary>
    public TimeSpan NodeCertificateLifetime { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Encrypt Secrets at rest (<c>--secrets-encryption</c>). Default off.</summary>
    public bool SecretsEncryption { get; init; }

    public static ServerOptions From(OptionValues values)
    {
        ServerCommands.TryParseMode(values.GetRequiredString("write-kubeconfig-mode"), out var mode);
        return new ServerOptions
        {
            DataDir = Path.GetFullPath(values.GetRequiredString("data-dir")),
            HttpsListenPort = values.GetInt("https-listen-port"),
            BindAddress = IPAddress.Parse(values.GetRequiredString("bind-address")),
            TlsSans = values.GetList("tls-san"),
            KubeconfigPath = Path.GetFullPath(values.GetRequiredString("write-kubeconfig")),
            KubeconfigMode = mode,
            DatastoreEndpoints = values.GetList("datastore-endpoint"),
            DatastoreCaFile = values.GetString("datastore-cafile"),
            DatastoreCertFile = values.GetString("datastore-certfile"),
            DatastoreKeyFile = values.GetString("datastore-keyfile"),
            SnapshotInterval = Duration.TryParse(values.GetRequiredString("snapshot-interval"), out var interval) ? interval : TimeSpan.Zero,
            SnapshotRetention = values.GetInt("snapshot-retention"),
            NodeMonitorGracePeriod = Duration.TryParse(values.GetRequiredString("node-monitor-grace-period"), out var grace) ? grace : TimeSpan.FromSeconds(40),
            ClusterCidr = values.GetRequiredString("cluster-cidr"),
            NodeMonitorPeriod = Duration.TryParse(values.GetRequiredString("node-monitor-period"), out var period) && period > TimeSpan.Zero ? period : TimeSpan.FromSeconds(5),
            ApiLimits = new ApiLimits
            {
                PerClient = new RateLimit(values.GetInt("api-rate-limit"), values.GetInt("api-rate-burst")),
                MaxRequestsInFlight = values.GetInt("max-requests-inflight"),
                RequestTimeout = Duration.TryParse(values.GetRequiredString("request-timeout"), out var timeout) ? timeout : TimeSpan.FromSeconds(60),
            },
            AuditLogPath = values.GetString("audit-log-path") is { } audit ? Path.GetFullPath(audit) : null,
            NodeCertificateLifetime = Duration.TryParse(values.GetRequiredString("node-certificate-lifetime"), out var nodeLifetime) ? nodeLifetime : TimeSpan.FromDays(365),
            SecretsEncryption = values.GetBool("secrets-encryption"),
            SnapshotDir = values.GetString("snapshot-dir") is { } dir ? Path.GetFullPath(dir) : null,
            LogLevel = values.GetRequiredString("log-level") switch
            {
                "debug" => LogLevel.Debug,
                "warning" => LogLevel.Warning,
                "error" => LogLevel.Error,
                _ => LogLevel.Information,
            },
        };
    }
}
