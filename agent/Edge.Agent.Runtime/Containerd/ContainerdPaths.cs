namespace Edge.Agent.Runtime.Containerd;

/// <summary>
/// Where the agent's own containerd lives. Everything derives from the agent's data dir, so several
/// agents (and their containerds) run side by side on one machine without sharing a byte.
/// </summary>
public sealed record ContainerdPaths(string Directory)
{
    public static ContainerdPaths Under(string agentDataDir) => new(Path.Combine(agentDataDir, "containerd"));

    public string ConfigFile => Path.Combine(Directory, "config.toml");

    public string Root => Path.Combine(Directory, "root");

    public string State => Path.Combine(Directory, "state");

    /// <summary>The CRI and containerd API socket (kept short: unix socket paths end at 107 bytes).</summary>
    public string Socket => Path.Combine(Directory, "containerd.sock");

    public string LogFile => Path.Combine(Directory, "containerd.log");

    public string PidFile => Path.Combine(Directory, "containerd.pid");

    /// <summary>Registry host configs (<c>hosts.toml</c> per registry, <c>_default</c> for all): the image mirror writes here.</summary>
    public string RegistryConfigDir => Path.Combine(Directory, "certs.d");

    /// <summary>runc's state (its <c>--root</c>), private to this containerd.</summary>
    public string RuncRoot => Path.Combine(State, "runc");
}
