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

    public static readonly CommandSpec Join = new("join", "Join this device to a cluster, then exit; `run` (the service) takes over.")
    {
        Options = [DataDir, Token, NodeName, NodeLabel, NodeTaint, ContainerRuntimeEndpoint, Config],
        Arguments = ["server-url"],
    };

    public static readonly CommandSpec Run = new("run", "Run the agent from its config file (the systemd service).")
    {
        Options = [Config, DataDir, ContainerRuntimeEndpoint],
    };

    public static readonly CommandSpec Version = new("version", "Print the version of this build.");

    public static readonly CommandSpec Root = new("edge-agent", "Edge node agent: runs the pods a cluster assigns to this device.")
    {
        Subcommands = [Run, Join, Version],
    };

    /// <summary>The keys the agent config file may hold.</summary>
    public static IReadOnlyList<OptionSpec> ConfigSchema => Join.Options;

    internal static bool IsDnsSubdomain(string value) =>
        value.Length is > 0 and <= 253
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]);
}
