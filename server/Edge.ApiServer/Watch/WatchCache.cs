using System.Text.Json.Nodes;
using System.Threading.Channels;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Edge.Store;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer.Watch;

/// <summary>
/// One store watch over <c>/registry/</c> fans out to every API watcher. The cache keeps the most
/// recent events in a ring so that a watcher can resume from a resourceVersion it saw; older
/// than the ring is 410 Gone (the client re-lists). A watcher that cannot keep up is cut off
/// rather than letting it hold memory; it resumes from its last resourceVersion.
/// </summary>
public sealed partial class WatchCache(IStore store, ILogger logger, int capacity = 20_000) : IAsyncDisposable
{
    private const int SubscriberBuffer = 4_096;

    private static readonly Dictionary<string, ResourceType> ByPrefix =
        ResourceCatalog.Resources.ToDictionary(r => r.StorePrefix["/registry/".Length..^1], StringComparer.Ordinal);

    private readonly object _lock = new();
    private readonly Queue<CachedEvent> _ring = new();
    private readonly CancellationTokenSource _stop = new();
    private WatchSubscription[] _subscribers = [];
    private long _revision;
    private long _coveredFrom;
    private Task _pump = Task.CompletedTask;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The newest revision the cache has applied.</summary>
    public long Revision => Volatile.Read(ref _revision);

    /// <summary>Completes once the cache follows the store.</summary>
    public Task Ready => _ready.Task;

    public int Watchers => _subscribers.Length;

    /// <summary>
    /// Starts following the store, replaying the recent history it still holds so that resumes
    /// across a restart work. Serving may start at once: while the replay runs, "now" for a new
    /// watcher is the cache's revision, a consistent if slightly older point, and everything after
    /// it still arrives. (Waiting for the replay to reach the store's revision cannot work in
    /// general: etcd's revision also counts writes outside /registry/ that no event will show.)
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var status = await store.StatusAsync(cancellationToken);
        var from = Math.Max(status.CompactRevision, status.Revision - capacity);
        _revision = from;
        _coveredFrom = from;
        _pump = Task.Run(() => PumpAsync(_stop.Token), CancellationToken.None);
        _ready.TrySetResult();
    }

    /// <summary>
    /// Subscribes to one resource (and namespace) from a revision, exclusive. Returns null when that
    /// revision is older than what the cache holds (410).
    /// </summary>
    public WatchSubscription? Subscribe(ResourceType resource, string? ns, long fromRevision) =>
        Subscribe([resource], ns, fromRevision);

    /// <summary>Subscribes to the changes of several resources, in one revision order; null when <paramref name="fromRevision"/> is no longer held.</summary>
    public WatchSubscription? Subscribe(ResourceType[] resources, string? ns, long fromRevision)
    {
        lock (_lock)
        {
            if (fromRevision < _coveredFrom)
            {
                return null;
            }

            var subscription = new WatchSubscription(this, resources, ns, Channel.CreateBounded<CachedEvent>(
                new BoundedChannelOptions(SubscriberBuffer) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait }),
                Math.Max(fromRevision, 0));
            foreach (var cached in _ring)
            {
                if (cached.Revision > fromRevision && subscription.Wants(cached) && !subscription.TryDeliver(cached))
                {
                    subscription.Overflow();
                    break;
                }
            }

            _subscribers = [.. _subscribers, subscription];
            return subscription;
        }
    }

    /// <summary>Subscribes from the cache's current revision, returned with the subscription.</summary>
    public (WatchSubscription Subscription, long Revision) SubscribeNow(ResourceType resource, string? ns)
    {
        lock (_lock)
        {
            return (Subscribe(resource, ns, _revision)!, _revision);
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = _subscribers.Where(s => s != subscription).ToArray();
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var batch in store.WatchAsync(WatchRequest.Prefix("/registry/", Revision + 1, prevKv: true), cancellationToken))
                {
                    Apply(batch);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException e)
            {
                // History we had not read yet is gone: watchers from before it must re-list.
                WatchCacheLog.Compacted(logger, Revision, e.CompactRevision);
                ResetTo(await CurrentRevisionAsync(cancellationToken));
            }
            catch (StoreException e)
            {
                WatchCacheLog.StoreWatchFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken) =>
        (await store.StatusAsync(cancellationToken)).Revision;

    private void ResetTo(long revision)
    {
        lock (_lock)
        {
            _ring.Clear();
            foreach (var subscriber in _subscribers)
            {
                subscriber.Overflow();
            }

            _subscribers = [];
            _revision = revision;
            _coveredFrom = revision;
        }
    }

    private void Apply(IReadOnlyList<WatchEvent> batch)
    {
        var decoded = new List<CachedEvent>(batch.Count);
        foreach (var change in batch)
        {
            if (Decode(change) is { } cached)
            {
                decoded.Add(cached);
            }
        }

        lock (_lock)
        {
            foreach (var cached in decoded)
            {
                _ring.Enqueue(cached);
                while (_ring.Count > capacity)
                {
                    _coveredFrom = _ring.Dequeue().Revision;
                }

                foreach (var subscriber in _subscribers)
                {
                    if (subscriber.Wants(cached) && !subscriber.TryDeliver(cached))
                    {
                        subscriber.Overflow();
                    }
                }
            }

            if (batch.Count > 0)
            {
                Volatile.Write(ref _revision, Math.Max(_revision, batch[^1].Kv.ModRevision));
            }
        }
    }

    private static CachedEvent? Decode(WatchEvent change)
    {
        var key = change.Kv.Key;
        var rest = key.AsSpan("/registry/".Length);
        var slash = rest.IndexOf('/');
        if (slash < 0 || !ByPrefix.TryGetValue(rest[..slash].ToString(), out var resource))
        {
            return null;
        }

        // The namespace is the key's next segment; the object itself is decoded only if a watcher needs it.
        string? ns = null;
        if (resource.Namespaced)
        {
            var afterResource = rest[(slash + 1)..];
            var end = afterResource.IndexOf('/');
            ns = end < 0 ? null : afterResource[..end].ToString();
        }

        var previous = change.PrevKv is { Value.Length: > 0 } prev ? prev : null;
        if (change.Type == WatchEventType.Delete)
        {
            // A deleted object is reported with its last state and the revision of its deletion.
            return previous is null ? null
                : new CachedEvent(resource, ns, change.Kv.ModRevision, null, previous with { ModRevision = change.Kv.ModRevision });
        }

        return new CachedEvent(resource, ns, change.Kv.ModRevision, change.Kv, previous);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
