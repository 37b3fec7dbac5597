namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// kubelet's per-container back-off: the first restart is immediate, then 10 s, 20 s, … up to
/// 5 min; a container that ran for longer than twice the maximum starts again from the beginning.
/// </summary>
public sealed class RestartBackoff(TimeSpan initial, TimeSpan max)
{
    private readonly Dictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);

    /// <summary>When the container may start again after exiting at <paramref name="exitedAt"/> (first call: at once).</summary>
    public DateTimeOffset NextStart(string key, DateTimeOffset exitedAt, DateTimeOffset startedAt)
    {
        return _delays.TryGetValue(key, out var delay) && exitedAt - startedAt <= 2 * max ? exitedAt + delay : exitedAt;
    }

    /// <summary>Records that the container is being restarted after the exit at <paramref name="exitedAt"/>: the next wait grows.</summary>
    public void Restarted(string key, DateTimeOffset exitedAt, DateTimeOffset startedAt)
    {
        _delays[key] = _delays.TryGetValue(key, out var delay) && exitedAt - startedAt <= 2 * max
            ? (delay * 2 > max ? max : delay * 2)
            : initial;
    }

    public void Forget(string key) => _delays.Remove(key);
}
