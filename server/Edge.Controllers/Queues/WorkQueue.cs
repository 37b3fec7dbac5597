namespace Edge.Controllers.Queues;

/// <summary>
/// client-go's work queue: a key waits at most once however often it is added, is never handed
/// to two workers at once (added while in work, it comes back after <see cref="Done"/>), and
/// failed keys come back after a per-key exponential delay.
/// </summary>
public sealed class WorkQueue(TimeProvider time, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null) : IDisposable
{
    private readonly object _lock = new();
    private readonly Queue<string> _queue = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ITimer Timer, DateTimeOffset Due)> _delayed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeSpan _baseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5);
    private readonly TimeSpan _maxDelay = maxDelay ?? TimeSpan.FromMinutes(2);

    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_lock)
        {
            if (!_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            _queue.Enqueue(key);
        }

        _available.Release();
    }

    /// <summary>Adds the key after a delay; of two pending delays for one key, the earlier wins.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        var due = time.GetUtcNow() + delay;
        lock (_lock)
        {
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var timer = time.CreateTimer(_ =>
            {
                lock (_lock)
                {
                    if (_delayed.TryGetValue(key, out var fired) && fired.Due == due)
                    {
                        _delayed.Remove(key);
                        fired.Timer.Dispose();
                    }
                }

                Add(key);
            }, null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (timer, due);
        }
    }

    /// <summary>Adds the key back after its next back-off step (5 ms, 10 ms, … up to the maximum).</summary>
    public void AddRateLimited(string key)
    {
        int failures;
        lock (_lock)
        {
            failures = _failures.GetValueOrDefault(key);
            _failures[key] = failures + 1;
        }

        var delay = TimeSpan.FromTicks((long)Math.Min(_baseDelay.Ticks * Math.Pow(2, Math.Min(failures, 30)), _maxDelay.Ticks));
        AddAfter(key, delay);
    }

    /// <summary>Resets the key's back-off after a success.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }

    public int Failures(string key)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for the next key; the caller must call <see cref="Done"/> with it.</summary>
    public async Task<string> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (_queue.TryDequeue(out var key))
                {
                    _dirty.Remove(key);
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    public void Done(string key)
    {
        bool again;
        lock (_lock)
        {
            _processing.Remove(key);
            again = _dirty.Contains(key);
            if (again)
            {
                _queue.Enqueue(key);
            }
        }

        if (again)
        {
            _available.Release();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (timer, _) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }

        _available.Dispose();
    }
}
