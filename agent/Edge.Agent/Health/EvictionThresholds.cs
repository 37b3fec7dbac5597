using System.Globalization;
using Edge.Agent.Runtime.Pods;

namespace Edge.Agent.Health;

/// <summary>A hard eviction threshold: a quantity in bytes or counts (<c>100Mi</c>), or a share of capacity (<c>10%</c>).</summary>
public readonly record struct Threshold(long Quantity, double Percentage)
{
    public static Threshold Bytes(long quantity) => new(quantity, 0);

    public static Threshold Percent(double percentage) => new(0, percentage);

    /// <summary>True when <paramref name="available"/> is below the threshold, as kubelet's <c>signal&lt;value</c> reads.</summary>
    public bool IsCrossed(long available, long capacity) =>
        available < (Percentage > 0 ? capacity * Percentage / 100 : Quantity);

    public override string ToString() =>
        Percentage > 0 ? $"{Percentage.ToString(CultureInfo.InvariantCulture)}%" : Quantity.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// When the node reports pressure: kubelet's <c>--eviction-hard</c> signals with kubelet's Linux
/// defaults (<c>memory.available&lt;100Mi,nodefs.available&lt;10%,nodefs.inodesFree&lt;5%,imagefs.available&lt;15%</c>),
/// plus <c>pid.available&lt;10%</c>, which kubelet leaves unset (and so never reports PIDPressure
/// unless configured) but a device with a small pid_max needs. A signal the option does not name
/// keeps its default here, unlike kubelet, where naming one signal drops the others.
/// </summary>
public sealed record EvictionThresholds
{
    public Threshold MemoryAvailable { get; init; } = Threshold.Bytes(100 * 1024 * 1024);

    public Threshold NodeFsAvailable { get; init; } = Threshold.Percent(10);

    public Threshold NodeFsInodesFree { get; init; } = Threshold.Percent(5);

    public Threshold ImageFsAvailable { get; init; } = Threshold.Percent(15);

    public Threshold PidAvailable { get; init; } = Threshold.Percent(10);

    /// <summary>
    /// Reads <c>signal&lt;value,…</c> over the defaults; every malformed entry is one line in
    /// <paramref name="errors"/> (the result then holds only the entries that did parse).
    /// </summary>
    public static EvictionThresholds Parse(string text, List<string> errors)
    {
        var result = new EvictionThresholds();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var less = entry.IndexOf('<');
            if (less <= 0 || ParseValue(entry[(less + 1)..].Trim()) is not { } value)
            {
                errors.Add($"'{entry}' is not signal<quantity or signal<percent%");
                continue;
            }

            var signal = entry[..less].Trim();
            switch (signal)
            {
                case "memory.available": result = result with { MemoryAvailable = value }; break;
                case "nodefs.available": result = result with { NodeFsAvailable = value }; break;
                case "nodefs.inodesFree": result = result with { NodeFsInodesFree = value }; break;
                case "imagefs.available": result = result with { ImageFsAvailable = value }; break;
                case "pid.available": result = result with { PidAvailable = value }; break;
                default: errors.Add($"'{signal}' is not one of memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, pid.available"); break;
            }
        }

        return result;
    }

    private static Threshold? ParseValue(string value)
    {
        if (value.EndsWith('%'))
        {
            return double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 100 ? Threshold.Percent(p) : null;
        }

        try
        {
            return Quantity.Bytes(value) is >= 0 and var bytes ? Threshold.Bytes(bytes) : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }
}
