namespace Edge.Agent.Health;

/// <summary>
/// One API response's <c>Date</c> header with the local times the request left and the answer came.
/// The header has whole seconds and the server stamped it somewhere inside the round trip, so the
/// offset is known only to within half the round trip plus half a second.
/// </summary>
public sealed record ServerClockSample(DateTimeOffset Sent, DateTimeOffset Received, DateTimeOffset ServerDate)
{
    /// <summary>Local clock minus the server's: positive when this node is ahead.</summary>
    public TimeSpan Offset => Sent + (Received - Sent) / 2 - (ServerDate + TimeSpan.FromSeconds(0.5));

    public TimeSpan Uncertainty => (Received - Sent) / 2 + TimeSpan.FromSeconds(0.5);

    /// <summary>Only when the whole uncertainty band lies beyond the bound: a slow answer never reads as skew.</summary>
    public bool Exceeds(TimeSpan bound) => Offset.Duration() - Uncertainty > bound;
}
