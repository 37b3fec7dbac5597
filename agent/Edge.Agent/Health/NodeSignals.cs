using Edge.Native.HostInfo;

namespace Edge.Agent.Health;

/// <summary>
/// What the device measured at one heartbeat, for the condition setters. A null (or empty) part
/// means the device does not expose that source: its condition is then not reported at all.
/// </summary>
/// <param name="NodeFs">The file system of the agent's data dir (pod volumes, logs).</param>
/// <param name="ImageFs">The file system of containerd's root (images, writable layers); often the same as <paramref name="NodeFs"/>.</param>
public sealed record NodeSignals(
    MemoryStats? Memory,
    FileSystemStats? NodeFs,
    FileSystemStats? ImageFs,
    PidStats? Pids,
    IReadOnlyList<ThermalZone> ThermalZones,
    PiThrottledFlags? PiThrottled,
    bool? PiUnderVoltageAlarm,
    ServerClockSample? ServerClock)
{
    /// <summary>Nothing measured: the pressure conditions read False, the edge ones are left out.</summary>
    public static NodeSignals None { get; } = new(null, null, null, null, [], null, null, null);

    /// <summary>Reads everything from the host under <paramref name="root"/> and the data dir's file systems.</summary>
    public static NodeSignals Read(string root, string dataDir, string containerdRoot, ServerClockSample? serverClock) => new(
        MemoryStats.Read(root),
        FileSystemStats.Of(dataDir),
        FileSystemStats.Of(containerdRoot),
        PidStats.Read(root),
        ThermalZone.ReadAll(root),
        RaspberryPiPower.Throttled(root),
        RaspberryPiPower.UnderVoltageAlarm(root),
        serverClock);
}
