using System.Collections.Concurrent;
using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Limits;

/// <summary>How many requests one client may send: a sustained rate and a burst above it.</summary>
public sealed record RateLimit(double RequestsPerSecond, int Burst)
{
    /// <summary>
    /// Generous for people and agents (kubectl throttles itself to far less; an agent sends a few
    /// requests a minute), tight enough that a runaway script cannot take the server's cores.
    /// </summary>
    public static readonly RateLimit Default = new(100, 200);
}

/// <summary>
/// A token bucket per client (the authenticated user name; anonymous clients by address), so that
/// one client flooding the API gets 429s with Retry-After while every other client keeps its share.
/// <c>system:masters</c> is exempt, as upstream's exempt priority level: the admin and the
/// in-process control loops must never be throttled out of their own cluster.
/// </summary>
public sealed class ClientRateLimiter(RateLimit limit, TimeProvider time)
{
    /// <summary>Above this many tracked clients, full (idle) buckets are dropped.</summary>
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public RateLimit Limit => limit;

    /// <summary>Takes one request's token; returns 0 when granted, else the seconds to wait before retrying.</summary>
    public int TryAcquire(UserInfo user, string remoteAddress)
    {
        if (user.IsInGroup(UserInfo.SystemMasters))
        {
            return 0;
        }

        var key = user.Name == UserInfo.AnonymousName ? "anonymous@" + remoteAddress : user.Name;
        var now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Burst, state.Now), (limit.Burst, Now: now));
        var wait = bucket.TryTake(limit, now, time);
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }

        return wait;
    }

    private void Prune(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsFull(limit, now, time))
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        private double _tokens = tokens;
        private long _updated = updated;

        public int TryTake(RateLimit limit, long now, TimeProvider time)
        {
            lock (this)
            {
                Refill(limit, now, time);
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return 0;
                }

                return Math.Max(1, (int)Math.Ceiling((1 - _tokens) / limit.RequestsPerSecond));
            }
        }

        public bool IsFull(RateLimit limit, long now, TimeProvider time)
        {
            lock (this)
            {
                Refill(limit, now, time);
                return _tokens >= limit.Burst;
            }
        }

        private void Refill(RateLimit limit, long now, TimeProvider time)
        {
            var elapsed = time.GetElapsedTime(_updated, now).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(limit.Burst, _tokens + elapsed * limit.RequestsPerSecond);
                _updated = now;
            }
        }
    }
}

/// <summary>
/// At most so many requests (watches and other long-running requests excepted) are served at once
/// for clients other than <c>system:masters</c>, as upstream's <c>--max-requests-inflight</c>;
/// beyond that a client gets 429 instead of queueing up memory and latency for everyone.
/// </summary>
public sealed class InFlightLimiter(int limit)
{
    private int _inFlight;

    public int Limit => limit;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
