namespace Edge.Agent.Health;

/// <summary>What the node's health conditions compare against.</summary>
public sealed record HealthOptions
{
    /// <summary>Pressure thresholds (<c>--eviction-hard</c>); kubelet's defaults, see <see cref="EvictionThresholds"/>.</summary>
    public EvictionThresholds Eviction { get; init; } = new();

    /// <summary>
    /// <c>edge.io/ClockSkew</c> turns True beyond this difference from the API server's clock
    /// (<c>--max-clock-skew</c>, default 2 s): certificates, tokens and Lease renewals start failing
    /// in odd ways well before a skew is obvious to a person.
    /// </summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(2);
}
