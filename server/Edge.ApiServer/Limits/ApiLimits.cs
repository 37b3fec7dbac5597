namespace Edge.ApiServer.Limits;

/// <summary>The limits one client (or all of them together) must stay within.</summary>
public sealed record ApiLimits
{
    public RateLimit PerClient { get; init; } = RateLimit.Default;

    /// <summary>Requests served at once for clients other than system:masters (watches excepted); upstream's default is 400 + 200 mutating.</summary>
    public int MaxRequestsInFlight { get; init; } = 400;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
