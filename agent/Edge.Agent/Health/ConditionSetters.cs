using System.Globalization;
using Edge.Native.HostInfo;

namespace Edge.Agent.Health;

/// <summary>
/// A condition as a setter decides it. <see cref="Message"/> stays the same while the cause does
/// (no live numbers: a changed message re-sends the status); the numbers go to <see cref="Observed"/>,
/// which the agent logs when the condition flips.
/// </summary>
public sealed record ConditionState(string Type, string Status, string Reason, string Message, string Observed);

/// <summary>
/// The node's health conditions, one small setter each, as kubelet's <c>nodestatus</c> setters:
/// the pressure ones with kubelet's types, reasons and messages (always reported), and the edge
/// ones only where the device has the source (null otherwise, never a made-up False).
/// </summary>
public static class ConditionSetters
{
    public const string ThermalThrottlingType = "edge.io/ThermalThrottling";
    public const string UnderVoltageType = "edge.io/UnderVoltage";
    public const string ClockSkewType = "edge.io/ClockSkew";

    public delegate ConditionState? Setter(NodeSignals signals, HealthOptions options);

    /// <summary>In the order they are reported (Ready goes between the pressure and the edge conditions, as kubelet lists it last of its own).</summary>
    public static IReadOnlyList<Setter> Pressure { get; } = [MemoryPressure, DiskPressure, PidPressure];

    public static IReadOnlyList<Setter> Edge { get; } = [ThermalThrottling, UnderVoltage, ClockSkew];

    public static ConditionState MemoryPressure(NodeSignals signals, HealthOptions options)
    {
        var memory = signals.Memory;
        var observed = memory is null ? "memory.available unknown" : $"memory.available={Mi(memory.AvailableBytes)} of {Mi(memory.TotalBytes)} (threshold {options.Eviction.MemoryAvailable})";
        return memory is not null && options.Eviction.MemoryAvailable.IsCrossed(memory.AvailableBytes, memory.TotalBytes)
            ? new("MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", observed)
            : new("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", observed);
    }

    /// <summary>
    /// As kubelet: nodefs space or inodes, or imagefs space. When containerd's root shares the data
    /// dir's file system, imagefs' 15% is the bar that counts, as it does on a kubelet with one disk.
    /// A file system without an inode table (btrfs reports 0 inodes) has no inode signal.
    /// </summary>
    public static ConditionState DiskPressure(NodeSignals signals, HealthOptions options)
    {
        var eviction = options.Eviction;
        var crossed = new List<string>();
        var observed = new List<string>();
        if (signals.NodeFs is { } node)
        {
            Check("nodefs.available", node.AvailableBytes, node.CapacityBytes, eviction.NodeFsAvailable);
            if (node.Inodes > 0)
            {
                Check("nodefs.inodesFree", node.InodesFree, node.Inodes, eviction.NodeFsInodesFree);
            }
        }

        if (signals.ImageFs is { } image)
        {
            Check("imagefs.available", image.AvailableBytes, image.CapacityBytes, eviction.ImageFsAvailable);
        }

        var text = observed.Count == 0 ? "file systems unknown" : string.Join(", ", observed);
        return crossed.Count > 0
            ? new("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", $"{string.Join(", ", crossed)} crossed; {text}")
            : new("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", text);

        void Check(string signal, long available, long capacity, Threshold threshold)
        {
            observed.Add($"{signal}={Share(available, capacity)} (threshold {threshold})");
            if (threshold.IsCrossed(available, capacity))
            {
                crossed.Add(signal);
            }
        }
    }

    public static ConditionState PidPressure(NodeSignals signals, HealthOptions options)
    {
        var pids = signals.Pids;
        var observed = pids is null ? "pid.available unknown" : $"pid.available={pids.Available} of {pids.Max} (threshold {options.Eviction.PidAvailable})";
        return pids is not null && options.Eviction.PidAvailable.IsCrossed(pids.Available, pids.Max)
            ? new("PIDPressure", "True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available", observed)
            : new("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", observed);
    }

    /// <summary>
    /// Sources: thermal zones with a passive (or hot/critical) trip point, and the Pi firmware's
    /// flags, which on a Pi are the truth: the firmware throttles at its own limits (80–85 °C, or the
    /// soft limit), which the kernel's zones do not show.
    /// </summary>
    public static ConditionState? ThermalThrottling(NodeSignals signals, HealthOptions options)
    {
        var zones = signals.ThermalZones.Where(z => z.ThrottlePoint is not null).ToList();
        if (zones.Count == 0 && signals.PiThrottled is null)
        {
            return null;
        }

        var observed = string.Join(", ", zones.Select(z => $"{z.Name} ({z.Type}) {Celsius(z.MilliCelsius)} (trips at {Celsius(z.ThrottlePoint!.MilliCelsius)})"));
        if (signals.PiThrottled is { } flags)
        {
            observed = string.Join(", ", new[] { observed, $"firmware flags 0x{flags.Value:x}" }.Where(s => s.Length > 0));
        }

        if (signals.PiThrottled is { } pi && (pi.Throttled || pi.FrequencyCapped || pi.SoftTemperatureLimit))
        {
            var what = new List<string>();
            if (pi.Throttled)
            {
                what.Add("throttles the CPU");
            }

            if (pi.FrequencyCapped)
            {
                what.Add("caps the ARM frequency");
            }

            if (pi.SoftTemperatureLimit)
            {
                what.Add("has reached its soft temperature limit");
            }

            // The firmware throttles on under-voltage as well as on heat; the message says which may apply.
            var cause = pi.UnderVoltage ? " (the supply is also under-voltage, which the firmware throttles for too)" : "";
            return new(ThermalThrottlingType, "True", "FirmwareThrottling", $"the Raspberry Pi firmware {string.Join(" and ", what)}{cause}", observed);
        }

        var hot = zones.Where(z => z.MilliCelsius >= z.ThrottlePoint!.MilliCelsius).ToList();
        if (hot.Count > 0)
        {
            var message = string.Join("; ", hot.Select(z => $"{z.Name} ({z.Type}) is at or above its {z.ThrottlePoint!.Type} trip point of {Celsius(z.ThrottlePoint.MilliCelsius)}"));
            return new(ThermalThrottlingType, "True", "ThermalZoneOverTripPoint", message, observed);
        }

        return new(ThermalThrottlingType, "False", "NoThermalThrottling", "no thermal zone is at its trip point and the firmware does not throttle", observed);
    }

    /// <summary>Sources: the rpi_volt hwmon alarm, else the firmware's under-voltage flag.</summary>
    public static ConditionState? UnderVoltage(NodeSignals signals, HealthOptions options)
    {
        var under = signals.PiUnderVoltageAlarm ?? signals.PiThrottled?.UnderVoltage;
        if (under is not { } now)
        {
            return null;
        }

        var observed = signals.PiUnderVoltageAlarm is { } alarm ? $"rpi_volt in0_lcrit_alarm={(alarm ? 1 : 0)}" : $"firmware flags 0x{signals.PiThrottled!.Value.Value:x}";
        return now
            ? new(UnderVoltageType, "True", "UnderVoltageDetected", "the supply voltage is below the firmware's threshold (about 4.63 V): use a stronger power supply or a shorter cable", observed)
            : new(UnderVoltageType, "False", "SufficientVoltage", "the supply voltage is sufficient", observed);
    }

    /// <summary>Source: the last API response's Date header; the bound is compared with the whole uncertainty band (see <see cref="ServerClockSample"/>).</summary>
    public static ConditionState? ClockSkew(NodeSignals signals, HealthOptions options)
    {
        if (signals.ServerClock is not { } clock)
        {
            return null;
        }

        var bound = Seconds(options.MaxClockSkew);
        var observed = $"offset {Seconds(clock.Offset)} ± {Seconds(clock.Uncertainty)} from the API server";
        return clock.Exceeds(options.MaxClockSkew)
            ? new(ClockSkewType, "True", "ClockSkewed", $"the node's clock differs from the API server's by more than {bound}: check NTP on the device", observed)
            : new(ClockSkewType, "False", "ClockInSync", $"the node's clock is within {bound} of the API server's", observed);
    }

    private static string Mi(long bytes) => $"{(bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture)}Mi";

    private static string Share(long available, long capacity) =>
        capacity > 0 ? $"{(100.0 * available / capacity).ToString("0.0", CultureInfo.InvariantCulture)}%" : "0%";

    private static string Celsius(long milli) => $"{(milli / 1000.0).ToString("0.#", CultureInfo.InvariantCulture)} °C";

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
