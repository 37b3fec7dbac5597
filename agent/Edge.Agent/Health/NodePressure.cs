namespace Edge.Agent.Health;

/// <summary>
/// What the pod runtime needs to evict under pressure: which pressures hold and the measurements
/// behind them (to rank pods by what they use of the scarce resource). Replaced as a whole every
/// heartbeat, so a reader always sees one consistent snapshot.
/// </summary>
public sealed record NodePressure(bool Memory, bool Disk, bool Pids, NodeSignals Signals, DateTimeOffset MeasuredAt)
{
    public static NodePressure None { get; } = new(false, false, false, NodeSignals.None, DateTimeOffset.MinValue);

    public static NodePressure From(IEnumerable<ConditionState> states, NodeSignals signals, DateTimeOffset measuredAt)
    {
        var trueTypes = states.Where(s => s.Status == "True").Select(s => s.Type).ToHashSet(StringComparer.Ordinal);
        return new(trueTypes.Contains("MemoryPressure"), trueTypes.Contains("DiskPressure"), trueTypes.Contains("PIDPressure"), signals, measuredAt);
    }
}
