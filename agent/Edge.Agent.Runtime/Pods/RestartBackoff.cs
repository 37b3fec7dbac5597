namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// kubelet's per-container back-off: the first restart is immediate, then 10 s, 20 s, … up to
/// 5 min; a container that ran for longer than twice the maximum starts again from the beginning.
/// </summary>
public sealed class RestartBackoff(TimeSpan initial, TimeSpan max)
{
    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastExit)> _entries = new(StringComparer.Ordinal);

    /// <summary>When the container may start again after exiting at <paramref name="exitedAt"/> (first call: at once).</summary>
    public DateTimeOffset NextStart(string key, DateTimeOffset exitedAt, DateTimeOffset startedAt)
    {
        if (!_entries.TryGetValue(key, out var entry) || exitedAt - startedAt > 2 * max)
        {
            return exitedAt;
        }

        return exitedAt + entry.Delay;
    }

    /// <summary>Records that the container is being restarted after the exit at <paramref name="exitedAt"/>: the next wait grows.</summary>
    public void Restarted(string key, DateTimeOffset exitedAt, DateTimeOffset startedAt)
    {
        if (!_entries.TryGetValue(key, out var entry) || exitedAt - startedAt > 2 * max)
        {
            _entries[key] = (initial, exitedAt);
            return;
        }

        var next = entry.Delay * 2;
        _entries[key] = (next > max ? max : next, exitedAt);
    }

    public void Forget(string key) => _entries.Remove(key);
}
