namespace Edge.Controllers.Common;

/// <summary>
/// Creates and deletes a controller has issued but not yet seen in its informer (upstream
/// <c>ControllerExpectations</c>). Until they are seen, the cache understates or overstates what
/// exists, and acting on it would create or delete twice; so a controller waits. An expectation
/// expires after five minutes, in case an event was never delivered.
/// </summary>
public sealed class Expectations(TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, (int Adds, int Deletes, DateTimeOffset At)> _pending = new(StringComparer.Ordinal);

    public void Expect(string key, int adds, int deletes)
    {
        lock (_pending)
        {
            _pending[key] = (adds, deletes, time.GetUtcNow());
        }
    }

    public void ObservedAdd(string key) => Lower(key, 1, 0);

    public void ObservedDelete(string key) => Lower(key, 0, 1);

    public void Lower(string key, int adds, int deletes)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(key, out var e))
            {
                _pending[key] = (e.Adds - adds, e.Deletes - deletes, e.At);
            }
        }
    }

    public bool Satisfied(string key)
    {
        lock (_pending)
        {
            return !_pending.TryGetValue(key, out var e) || (e.Adds <= 0 && e.Deletes <= 0) || time.GetUtcNow() - e.At > Ttl;
        }
    }

    public void Forget(string key)
    {
        lock (_pending)
        {
            _pending.Remove(key);
        }
    }
}
