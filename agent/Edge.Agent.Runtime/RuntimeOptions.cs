namespace Edge.Agent.Runtime;

/// <summary>Where the runtime keeps pod files and logs, and how it names what it creates on the host.</summary>
/// <param name="NodeName">This node's name (downward API <c>spec.nodeName</c>, events).</param>
/// <param name="PodsDir">Pod directories (volumes): <c>&lt;data dir&gt;/pods</c>.</param>
/// <param name="PodLogsDir">CRI log files: <c>/var/log/pods</c> on a device, under the data dir in tests.</param>
/// <param name="CgroupRoot">Parent of every pod cgroup (cgroupfs path).</param>
/// <param name="CgroupFsRoot">Where the cgroup file systems are mounted (to remove pod cgroups runc leaves behind).</param>
public sealed record RuntimeOptions(
    string NodeName,
    string PodsDir,
    string PodLogsDir,
    string CgroupRoot = "/edge",
    string CgroupFsRoot = "/sys/fs/cgroup")
{
    /// <summary>How often a pod worker looks at its containers (kubelet's PLEG relists every second).</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Container restart back-off: 10 s doubling to 5 min, reset after 10 min of running.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A container's log file is rotated past this size (kubelet's containerLogMaxSize: 10 Mi).</summary>
    public long ContainerLogMaxSize { get; init; } = 10L * 1024 * 1024;

    /// <summary>Log files kept per container, the current one included (kubelet's containerLogMaxFiles: 5).</summary>
    public int ContainerLogMaxFiles { get; init; } = 5;

    /// <summary>How often log sizes are checked (kubelet: every 10 s).</summary>
    public TimeSpan LogRotationInterval { get; init; } = TimeSpan.FromSeconds(10);
}
