using System.Globalization;
using System.Net;
using Edge.Cli;

namespace Edge.Server.Cli;

/// <summary>The commands and options of edge-server: one table for flags, EDGE_* variables and config keys.</summary>
public static class ServerCommands
{
    public const string DefaultConfigFile = "/etc/edge/config.yaml";

    public static readonly OptionSpec Config = new("config", OptionKind.String, "YAML config file whose keys are these flag names")
    {
        ShortName = 'c',
        ValueName = "FILE",
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_CONFIG_FILE",
    };

    public static readonly OptionSpec DataDir = new("data-dir", OptionKind.String, "where the server keeps its state")
    {
        ShortName = 'd',
        ValueName = "DIR",
        Default = "/var/lib/edge/server",
        Validate = v => v.Length == 0 ? "must not be empty" : null,
    };

    public static readonly OptionSpec HttpsListenPort = new("https-listen-port", OptionKind.Int, "HTTPS port of the API")
    {
        ValueName = "PORT",
        Default = "6443",
        Validate = ValidatePort,
    };

    public static readonly OptionSpec BindAddress = new("bind-address", OptionKind.String, "address the API listens on")
    {
        ValueName = "IP",
        Default = "0.0.0.0",
        Validate = v => IPAddress.TryParse(v, out _) ? null : $"'{v}' is not an IP address",
    };

    public static readonly OptionSpec TlsSan = new("tls-san", OptionKind.List, "extra host name or IP for the serving certificate (repeatable)")
    {
        ValueName = "NAME",
        Validate = v => IPAddress.TryParse(v, out _) || Uri.CheckHostName(v) == UriHostNameType.Dns ? null : $"'{v}' is not a host name or IP address",
    };

    public static readonly OptionSpec WriteKubeconfig = new("write-kubeconfig", OptionKind.String, "where to write the admin kubeconfig")
    {
        ShortName = 'o',
        ValueName = "FILE",
        Default = "/etc/edge/edge.yaml",
        Validate = v => v.Length == 0 ? "must not be empty" : null,
    };

    public static readonly OptionSpec WriteKubeconfigMode = new("write-kubeconfig-mode", OptionKind.String, "file mode of the admin kubeconfig, octal")
    {
        ValueName = "MODE",
        Default = "0600",
        Validate = v => TryParseMode(v, out _) ? null : $"'{v}' is not an octal file mode such as 0600",
    };

    public static readonly OptionSpec LogLevel = new("log-level", OptionKind.String, "debug, info, warning or error")
    {
        ValueName = "LEVEL",
        Default = "info",
        Validate = v => v is "debug" or "info" or "warning" or "error" ? null : $"'{v}' is not one of debug, info, warning, error",
    };

    public static readonly OptionSpec DatastoreEndpoint = new("datastore-endpoint", OptionKind.List, "etcd endpoint(s) to keep the cluster in instead of the embedded store (repeatable)")
    {
        ValueName = "URL",
        Validate = v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme is "https" or "http" ? null : $"'{v}' is not an http(s):// etcd endpoint",
    };

    public static readonly OptionSpec DatastoreCaFile = new("datastore-cafile", OptionKind.String, "CA certificate that signed the etcd servers' certificates")
    {
        ValueName = "FILE",
    };

    public static readonly OptionSpec DatastoreCertFile = new("datastore-certfile", OptionKind.String, "client certificate for etcd")
    {
        ValueName = "FILE",
    };

    public static readonly OptionSpec DatastoreKeyFile = new("datastore-keyfile", OptionKind.String, "client key for etcd")
    {
        ValueName = "FILE",
    };

    public static readonly OptionSpec SnapshotInterval = new("snapshot-interval", OptionKind.String, "how often to save a snapshot of the embedded store; 0 turns it off")
    {
        ValueName = "DURATION",
        Default = "12h",
        Validate = Duration.Validate,
    };

    public static readonly OptionSpec NodeMonitorGracePeriod = new("node-monitor-grace-period", OptionKind.String, "how long a node may go without a heartbeat before it is marked unknown (NotReady)")
    {
        ValueName = "DURATION",
        Default = "40s",
        Validate = Duration.Validate,
    };

    public static readonly OptionSpec ClusterCidr = new("cluster-cidr", OptionKind.String, "the pods' address range; every node gets a /24 of it")
    {
        ValueName = "CIDR",
        Default = "10.42.0.0/16",
        Validate = v => System.Net.IPNetwork.TryParse(v, out var network) && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && network.PrefixLength is >= 4 and <= 24
            ? null
            : $"'{v}' is not an IPv4 network between /4 and /24",
    };

    public static readonly OptionSpec NodeMonitorPeriod = new("node-monitor-period", OptionKind.String, "how often the heartbeats of every node are checked")
    {
        ValueName = "DURATION",
        Default = "5s",
        Validate = Duration.Validate,
    };

    public static readonly OptionSpec ApiRateLimit = new("api-rate-limit", OptionKind.Int, "requests per second one client (user) may send on average; system:masters is exempt")
    {
        ValueName = "N",
        Default = "100",
        Validate = v => int.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : "must be at least 1",
    };

    public static readonly OptionSpec ApiRateBurst = new("api-rate-burst", OptionKind.Int, "requests one client may send at once above its rate")
    {
        ValueName = "N",
        Default = "200",
        Validate = v => int.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : "must be at least 1",
    };

    public static readonly OptionSpec MaxRequestsInflight = new("max-requests-inflight", OptionKind.Int, "requests served at once for all clients but system:masters (watches excepted)")
    {
        ValueName = "N",
        Default = "400",
        Validate = v => int.Parse(v, CultureInfo.InvariantCulture) >= 1 ? null : "must be at least 1",
    };

    public static readonly OptionSpec RequestTimeout = new("request-timeout", OptionKind.String, "longest time a request (not a watch) may take before it is answered 504")
    {
        ValueName = "DURATION",
        Default = "60s",
        Validate = v => Duration.Validate(v) ?? (Duration.TryParse(v, out var d) && d > TimeSpan.Zero ? null : "must be longer than zero"),
    };

    public static readonly OptionSpec AuditLogPath = new("audit-log-path", OptionKind.String, "write one JSON line per API request to this file")
    {
        ValueName = "FILE",
    };

    public static readonly OptionSpec NodeCertificateLifetime = new("node-certificate-lifetime", OptionKind.String, "how long the client certificates issued to joining nodes are valid; agents renew them when a third is left")
    {
        ValueName = "DURATION",
        Default = "8760h",
        Validate = v => Duration.TryParse(v, out var d) && d >= TimeSpan.FromSeconds(10) ? null : $"'{v}' is not a duration of at least 10s such as 720h",
    };

    public static readonly OptionSpec TokenTtl = new("ttl", OptionKind.String, "how long the new token can be used to join; 0 means it never expires")
    {
        ValueName = "DURATION",
        Default = "24h",
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_TOKEN_TTL",
        Validate = Duration.Validate,
    };

    public static readonly OptionSpec TokenDescription = new("description", OptionKind.String, "what the token is for, shown by `token list`")
    {
        ValueName = "TEXT",
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_TOKEN_DESCRIPTION",
        Validate = v => v.Any(char.IsControl) ? "must be one line of text" : null,
    };

    public static readonly OptionSpec SnapshotRetention = new("snapshot-retention", OptionKind.Int, "how many scheduled snapshots to keep")
    {
        ValueName = "N",
        Default = "5",
        Validate = v => int.Parse(v) >= 1 ? null : "must be at least 1",
    };

    public static readonly OptionSpec SnapshotDir = new("snapshot-dir", OptionKind.String, "where scheduled snapshots go (default: <data-dir>/snapshots)")
    {
        ValueName = "DIR",
    };

    public static readonly OptionSpec SecretsEncryption = new("secrets-encryption", OptionKind.Bool, "encrypt Secrets at rest (AES-GCM, keys in <data-dir>/cred/encryption-config.json)")
    {
        Default = "false",
    };

    public static readonly OptionSpec KubeconfigServer = new("server", OptionKind.String, "API URL to put in the kubeconfig (default: this host's loopback)")
    {
        ValueName = "URL",
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_KUBECONFIG_SERVER",
        Validate = v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme == "https" ? null : $"'{v}' is not an https:// URL",
    };

    public static readonly CommandSpec Server = new("server", "Run the control plane: API server, store, scheduler, controllers.")
    {
        Options =
        [
            Config, DataDir, HttpsListenPort, BindAddress, TlsSan, WriteKubeconfig, WriteKubeconfigMode, LogLevel,
            DatastoreEndpoint, DatastoreCaFile, DatastoreCertFile, DatastoreKeyFile, SnapshotInterval, SnapshotRetention, SnapshotDir,
            NodeMonitorGracePeriod, NodeMonitorPeriod, ClusterCidr, NodeCertificateLifetime, SecretsEncryption,
            ApiRateLimit, ApiRateBurst, MaxRequestsInflight, RequestTimeout, AuditLogPath,
        ],
    };

    public static readonly CommandSpec TokenShow = new("show", "Print the server token that agents join with (never expires).")
    {
        Options = [Config, DataDir],
    };

    public static readonly CommandSpec TokenCreate = new("create", "Create a join token and print it on stdout.")
    {
        Options = [Config, DataDir, TokenTtl, TokenDescription],
    };

    public static readonly CommandSpec TokenList = new("list", "List the join tokens (never their secrets).")
    {
        Options = [Config, DataDir],
    };

    public static readonly CommandSpec TokenDelete = new("delete", "Delete a join token: it can no longer join (nodes that joined with it stay).")
    {
        Options = [Config, DataDir],
        Arguments = ["id"],
    };

    /// <summary>Bare <c>edge-server token</c> is <c>token show</c>, as before tokens had subcommands.</summary>
    public static readonly CommandSpec Token = new("token", "Print the server token, or create, list and delete join tokens (run on the server host).")
    {
        Subcommands = [TokenShow, TokenCreate, TokenList, TokenDelete],
        DefaultSubcommand = "show",
    };

    public static readonly CommandSpec Kubeconfig = new("kubeconfig", "Print an admin kubeconfig for this server on stdout.")
    {
        Options = [Config, DataDir, HttpsListenPort, BindAddress, KubeconfigServer],
    };

    public static readonly CommandSpec SnapshotSave = new("save", "Save a snapshot of the embedded store to FILE (works while the server runs).")
    {
        Options = [Config, DataDir],
        Arguments = ["file"],
    };

    public static readonly CommandSpec SnapshotRestore = new("restore", "Restore the embedded store from FILE into a data dir that has none (the server must be stopped).")
    {
        Options = [Config, DataDir],
        Arguments = ["file"],
    };

    public static readonly CommandSpec Snapshot = new("snapshot", "Save or restore snapshots of the embedded store.")
    {
        Subcommands = [SnapshotSave, SnapshotRestore],
    };

    public static readonly CommandSpec SecretsEncryptStatus = new("status", "Show whether Secrets are encrypted, the active key and how many Secrets each key holds.")
    {
        Options = [Config, DataDir, HttpsListenPort, BindAddress],
    };

    public static readonly CommandSpec SecretsEncryptRotateKeys = new("rotate-keys", "Make a new active key and re-encrypt every Secret with it.")
    {
        Options = [Config, DataDir, HttpsListenPort, BindAddress],
    };

    public static readonly CommandSpec SecretsEncrypt = new("secrets-encrypt", "Inspect or rotate the encryption of Secrets at rest (asks the running server).")
    {
        Subcommands = [SecretsEncryptStatus, SecretsEncryptRotateKeys],
    };

    public static readonly CommandSpec Version = new("version", "Print the version of this build.");

    public static readonly CommandSpec Root = new("edge-server", "Edge: a lightweight Kubernetes control plane for edge sites.")
    {
        Subcommands = [Server, Token, Kubeconfig, Snapshot, SecretsEncrypt, Version],
        DefaultSubcommand = "server",
    };

    /// <summary>The keys a config file may hold: the server's options.</summary>
    public static IReadOnlyList<OptionSpec> ConfigSchema => Server.Options;

    private static string? ValidatePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? null
            : $"'{value}' is not a port number (1-65535)";

    internal static bool TryParseMode(string value, out UnixFileMode mode)
    {
        mode = 0;
        if (value.Length is < 3 or > 4 || value.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(value, 8);
        return true;
    }
}
