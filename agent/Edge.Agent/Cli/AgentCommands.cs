using Edge.Cli;

namespace Edge.Agent.Cli;

/// <summary>The commands and options of edge-agent: one table for flags, EDGE_* variables and config keys.</summary>
public static class AgentCommands
{
    public const string DefaultConfigFile = "/etc/edge/agent.yaml";

    public static readonly OptionSpec Config = new("config", OptionKind.String, "agent config file (written by join)")
    {
        ShortName = 'c',
        ValueName = "FILE",
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_AGENT_CONFIG_FILE",
    };

    public static readonly OptionSpec DataDir = new("data-dir", OptionKind.String, "where the agent keeps its identity and state")
    {
        ShortName = 'd',
        ValueName = "DIR",
        Default = "/var/lib/edge/agent",
        EnvironmentVariableOverride = "EDGE_AGENT_DATA_DIR",
        Validate = v => v.Length == 0 ? "must not be empty" : null,
    };

    public static readonly OptionSpec Token = new("token", OptionKind.String, "join token printed by `edge-server token`")
    {
        ShortName = 't',
        ValueName = "TOKEN",
        Validate = v => JoinToken.TryParse(v, out _, out var reason) ? null : reason,
    };

    public static readonly OptionSpec NodeName = new("node-name", OptionKind.String, "name of this node (default: the host name)")
    {
        ValueName = "NAME",
        Validate = v => IsDnsSubdomain(v) ? null : $"'{v}' is not a valid node name (lower-case letters, digits, '-' and '.', at most 253)",
    };

    public static readonly OptionSpec NodeLabel = new("node-label", OptionKind.List, "label to register the node with, key=value (repeatable)")
    {
        ValueName = "KEY=VALUE",
        Validate = v => v.IndexOf('=') > 0 ? null : $"'{v}' is not key=value",
    };

    public static readonly OptionSpec NodeTaint = new("node-taint", OptionKind.List, "taint to register the node with, key=value:Effect (repeatable)")
    {
        ValueName = "TAINT",
        Validate = v => v.EndsWith(":NoSchedule", StringComparison.Ordinal) || v.EndsWith(":PreferNoSchedule", StringComparison.Ordinal) || v.EndsWith(":NoExecute", StringComparison.Ordinal)
            ? null
            : $"'{v}' is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute",
    };

    public static readonly OptionSpec ContainerRuntimeEndpoint = new("container-runtime-endpoint", OptionKind.String, "use this CRI socket instead of the agent's own containerd")
    {
        ValueName = "SOCKET",
    };

    public static readonly OptionSpec Server = new("server", OptionKind.String, "URL of the cluster's server (written by join)")
    {
        ShortName = 's',
        ValueName = "URL",
        EnvironmentVariableOverride = "EDGE_AGENT_SERVER",
        Validate = v => Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme == "https" ? null : $"'{v}' is not an https:// server URL",
    };

    public static readonly OptionSpec ClusterCidr = new("cluster-cidr", OptionKind.String, "the cluster's pod network (written by join)")
    {
        ValueName = "CIDR",
        EnvironmentVariableOverride = "EDGE_AGENT_CLUSTER_CIDR",
    };

    public static readonly OptionSpec ServiceCidr = new("service-cidr", OptionKind.String, "the cluster's service network (written by join)")
    {
        ValueName = "CIDR",
        EnvironmentVariableOverride = "EDGE_AGENT_SERVICE_CIDR",
    };

    public static readonly OptionSpec ClusterDns = new("cluster-dns", OptionKind.String, "the cluster DNS service address (written by join)")
    {
        ValueName = "IP",
        EnvironmentVariableOverride = "EDGE_AGENT_CLUSTER_DNS",
    };

    public static readonly OptionSpec PodCidr = new("pod-cidr", OptionKind.String, "this node's pod range (written by join; empty until the server assigned it)")
    {
        ValueName = "CIDR",
        EnvironmentVariableOverride = "EDGE_AGENT_POD_CIDR",
    };

    public static readonly OptionSpec PodLogDir = new("pod-log-dir", OptionKind.String, "where containers' log files go (kubectl logs reads them)")
    {
        ValueName = "DIR",
        Default = "/var/log/pods",
        EnvironmentVariableOverride = "EDGE_AGENT_POD_LOG_DIR",
        Validate = v => v.StartsWith('/') ? null : "must be an absolute path",
    };

    public static readonly OptionSpec ContainerLogMaxSize = new("container-log-max-size", OptionKind.String, "rotate a container's log file past this size")
    {
        ValueName = "QUANTITY",
        Default = "10Mi",
        EnvironmentVariableOverride = "EDGE_AGENT_CONTAINER_LOG_MAX_SIZE",
        Validate = v => Edge.Agent.Runtime.Pods.Quantity.TryBytes(v, out var bytes) && bytes >= 16 * 1024 ? null : $"'{v}' is not a size of at least 16Ki (such as 10Mi)",
    };

    public static readonly OptionSpec ContainerLogMaxFiles = new("container-log-max-files", OptionKind.Int, "log files kept per container, the current one included")
    {
        ValueName = "N",
        Default = "5",
        EnvironmentVariableOverride = "EDGE_AGENT_CONTAINER_LOG_MAX_FILES",
        Validate = v => int.TryParse(v, out var n) && n >= 2 ? null : "must be 2 or more",
    };

    public static readonly OptionSpec ImageGcHighThreshold = new("image-gc-high-threshold", OptionKind.Int, "percent of the image file system in use at which unused images are removed (100: never)")
    {
        ValueName = "PERCENT",
        Default = "85",
        EnvironmentVariableOverride = "EDGE_AGENT_IMAGE_GC_HIGH_THRESHOLD",
        Validate = v => int.TryParse(v, out var n) && n is >= 0 and <= 100 ? null : "must be a percentage (0–100)",
    };

    public static readonly OptionSpec ImageGcLowThreshold = new("image-gc-low-threshold", OptionKind.Int, "percent in use that image garbage collection brings the image file system back to")
    {
        ValueName = "PERCENT",
        Default = "80",
        EnvironmentVariableOverride = "EDGE_AGENT_IMAGE_GC_LOW_THRESHOLD",
        Validate = v => int.TryParse(v, out var n) && n is >= 0 and <= 100 ? null : "must be a percentage (0–100)",
    };

    public static readonly OptionSpec CniBridge = new("cni-bridge", OptionKind.String, "name of the host bridge the pods attach to")
    {
        ValueName = "NAME",
        Default = "edge0",
        EnvironmentVariableOverride = "EDGE_AGENT_CNI_BRIDGE",
        Validate = v => v.Length is > 0 and <= 15 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? null : $"'{v}' is not an interface name (1–15 letters, digits, '-', '_', '.')",
    };

    public static readonly OptionSpec PodManifestPath = new("pod-manifest-path", OptionKind.String, "directory of static pod manifests the agent runs on its own (*.yaml, *.yml, *.json)")
    {
        ValueName = "DIR",
        Default = "/etc/edge/manifests",
        EnvironmentVariableOverride = "EDGE_AGENT_POD_MANIFEST_PATH",
        Validate = v => v.StartsWith('/') ? null : "must be an absolute path",
    };

    public static readonly OptionSpec EvictionHard = new("eviction-hard", OptionKind.String, "when the node reports MemoryPressure, DiskPressure, PIDPressure (kubelet's syntax; unnamed signals keep their defaults)")
    {
        ValueName = "SIGNAL<VALUE,...",
        Default = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%,pid.available<10%",
        EnvironmentVariableOverride = "EDGE_AGENT_EVICTION_HARD",
        Validate = v =>
        {
            var errors = new List<string>();
            Health.EvictionThresholds.Parse(v, errors);
            return errors.Count == 0 ? null : string.Join("; ", errors);
        },
    };

    public static readonly OptionSpec MaxClockSkew = new("max-clock-skew", OptionKind.Int, "seconds the node's clock may differ from the API server's before edge.io/ClockSkew turns True")
    {
        ValueName = "SECONDS",
        Default = "2",
        EnvironmentVariableOverride = "EDGE_AGENT_MAX_CLOCK_SKEW",
        Validate = v => int.TryParse(v, out var s) && s > 0 ? null : "must be a whole number of seconds above 0",
    };

    public static readonly OptionSpec Force = new("force", OptionKind.Bool, "renew even when the certificate is not due")
    {
        AllowedInConfigFile = false,
        EnvironmentVariableOverride = "EDGE_AGENT_RENEW_FORCE",
    };

    public static readonly CommandSpec Join = new("join", "Join this device to a cluster, then exit; `run` (the service) takes over.")
    {
        Options = [DataDir, Token, NodeName, NodeLabel, NodeTaint, ContainerRuntimeEndpoint, Config],
        Arguments = ["server-url"],
    };

    public static readonly CommandSpec Run = new("run", "Run the agent from its config file (the systemd service).")
    {
        Options = [Config, DataDir, ContainerRuntimeEndpoint, Server, NodeName, NodeLabel, NodeTaint, ClusterCidr, ServiceCidr, ClusterDns, PodCidr, PodLogDir, ContainerLogMaxSize, ContainerLogMaxFiles, ImageGcHighThreshold, ImageGcLowThreshold, CniBridge, PodManifestPath, EvictionHard, MaxClockSkew],
    };

    public static readonly CommandSpec CertificateRenew = new("renew", "Renew the node certificate now if it is due (a third of its lifetime left), or with --force.")
    {
        Options = [Config, DataDir, Server, Force],
    };

    public static readonly CommandSpec Certificate = new("certificate", "Manage this node's client certificate.")
    {
        Subcommands = [CertificateRenew],
    };

    public static readonly CommandSpec ImagesImport = new("import", "Check an image archive (OCI layout or docker save; .tar or .tar.zst) and add it to the images the agent serves.")
    {
        Options = [Config, DataDir],
        Arguments = ["file"],
    };

    public static readonly CommandSpec ImagesList = new("list", "List the images the agent serves from its images dir.")
    {
        Options = [Config, DataDir],
    };

    public static readonly CommandSpec Images = new("images", "Manage the air-gapped images this device serves to containerd.")
    {
        Subcommands = [ImagesImport, ImagesList],
    };

    public static readonly CommandSpec Version = new("version", "Print the version of this build.");

    public static readonly CommandSpec Root = new("edge-agent", "Edge node agent: runs the pods a cluster assigns to this device.")
    {
        Subcommands = [Run, Join, Certificate, Images, Version],
    };

    /// <summary>The keys the agent config file may hold: every option of every command (join writes a file that run reads).</summary>
    public static IReadOnlyList<OptionSpec> ConfigSchema { get; } = Join.Options.Concat(Run.Options).Concat(CertificateRenew.Options).Distinct().ToList();

    /// <summary>The config file this run reads and <c>join</c> writes: <c>--config</c>, its variable, or the default.</summary>
    public static string ConfigPath(ParsedCommandLine commandLine, System.Collections.IDictionary environment) =>
        commandLine.Flags.TryGetValue(Config.Name, out var flag) ? flag[0]
        : environment[Config.EnvironmentVariable] is string { Length: > 0 } fromEnv ? fromEnv
        : DefaultConfigFile;

    internal static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= 253
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]);
}
