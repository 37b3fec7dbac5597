namespace Edge.ApiServer.Health;

/// <summary>
/// The named checks behind <c>/livez</c> and <c>/readyz</c>. Components register a check when
/// they start; a check returns null when healthy or the reason it is not.
/// </summary>
public sealed class HealthChecks
{
    private readonly List<(string Name, Func<string?> Check)> _live = [];
    private readonly List<(string Name, Func<string?> Check)> _ready = [];
    private readonly Lock _gate = new();

    /// <summary>A check that counts for liveness and readiness (a dead component is not ready either).</summary>
    public void AddLiveness(string name, Func<string?> check)
    {
        lock (_gate)
        {
            _live.Add((name, check));
            _ready.Add((name, check));
        }
    }

    /// <summary>A check that counts for readiness only (still starting, not broken).</summary>
    public void AddReadiness(string name, Func<string?> check)
    {
        lock (_gate)
        {
            _ready.Add((name, check));
        }
    }

    /// <summary>Runs the checks of one kind, in registration order.</summary>
    public IReadOnlyList<(string Name, string? Failure)> Run(HealthKind kind)
    {
        (string Name, Func<string?> Check)[] checks;
        lock (_gate)
        {
            checks = kind == HealthKind.Ready ? [.. _ready] : [.. _live];
        }

        return checks.Select(c => (c.Name, Safe(c.Check))).ToList();
    }

    private static string? Safe(Func<string?> check)
    {
        try
        {
            return check();
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}

/// <summary>Which endpoint asks.</summary>
public enum HealthKind
{
    Live,
    Ready,
}
