namespace Edge.Agent.Run;

/// <summary>
/// Retry delays after failures: 1 s doubling to 30 s, each shortened by up to a fifth at random so
/// that many devices cut off together do not all return to the server in the same second.
/// </summary>
public sealed class Backoff(Func<double> random)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    private int _failures;

    public Backoff() : this(Random.Shared.NextDouble)
    {
    }

    /// <summary>The delay before the next attempt after one more failure.</summary>
    public TimeSpan NextDelay()
    {
        var nominal = Nominal(_failures);
        _failures = Math.Min(_failures + 1, 30);
        return nominal * (1 - (0.2 * random()));
    }

    public void Reset() => _failures = 0;

    /// <summary>The delay before jitter after <paramref name="failures"/> earlier failures.</summary>
    public static TimeSpan Nominal(int failures) =>
        failures >= 5 ? Max : TimeSpan.FromTicks(Math.Min(Initial.Ticks << failures, Max.Ticks));
}
