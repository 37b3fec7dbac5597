using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Edge.Store.Embedded;

public sealed partial class EmbeddedStore
{
    /// <summary>Batches a watcher may have queued before it is switched to catching up from the log.</summary>
    private const int WatcherQueueLimit = 1024;

    private readonly List<Watcher> _watchers = [];

    private sealed class Watcher(WatchRequest request)
    {
        public WatchRequest Request { get; } = request;

        public Channel<IReadOnlyList<WatchEvent>> Channel { get; } =
            System.Threading.Channels.Channel.CreateBounded<IReadOnlyList<WatchEvent>>(new BoundedChannelOptions(WatcherQueueLimit) { SingleReader = true, SingleWriter = true });

        /// <summary>The newest revision handed to the channel (or replayed).</summary>
        public long Delivered { get; set; }

        /// <summary>The channel overflowed: live events stop, the reader catches up from the log.</summary>
        public bool Lagging { get; set; }
    }

    public async IAsyncEnumerable<IReadOnlyList<WatchEvent>> WatchAsync(
        WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var watcher = new Watcher(request);
        List<IReadOnlyList<WatchEvent>> backlog;
        lock (_lock)
        {
            var start = request.StartRevision <= 0 ? _committed + 1 : request.StartRevision;
            if (start < _index.CompactRevision)
            {
                throw new StoreCompactedException(_index.CompactRevision);
            }

            backlog = Collect(request, start, _committed);
            watcher.Delivered = _committed;
            _watchers.Add(watcher);
        }

        try
        {
            foreach (var batch in backlog)
            {
                yield return batch;
            }

            while (true)
            {
                if (watcher.Channel.Reader.TryRead(out var next))
                {
                    yield return next;
                    continue;
                }

                // The channel is drained. If it overflowed meanwhile, live events stopped at the
                // overflow: catch up from the log, then live delivery resumes.
                List<IReadOnlyList<WatchEvent>>? catchUp = null;
                lock (_lock)
                {
                    if (watcher.Lagging)
                    {
                        if (watcher.Delivered + 1 < _index.CompactRevision)
                        {
                            throw new StoreCompactedException(_index.CompactRevision);
                        }

                        catchUp = Collect(request, watcher.Delivered + 1, _committed);
                        watcher.Delivered = _committed;
                        watcher.Lagging = false;
                    }
                }

                if (catchUp is not null)
                {
                    foreach (var batch in catchUp)
                    {
                        yield return batch;
                    }

                    continue;
                }

                if (!await watcher.Channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield break; // the store closed
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <summary>The events of <c>[from, to]</c> that match the request, one batch per revision. Under the lock.</summary>
    private List<IReadOnlyList<WatchEvent>> Collect(WatchRequest request, long from, long to)
    {
        var batches = new List<IReadOnlyList<WatchEvent>>();
        foreach (var revision in _index.EventsBetween(from, to))
        {
            var matching = Filter(request, revision.Events);
            if (matching is not null)
            {
                batches.Add(matching);
            }
        }

        return batches;
    }

    private static List<WatchEvent>? Filter(WatchRequest request, WatchEvent[] events)
    {
        List<WatchEvent>? matching = null;
        foreach (var e in events)
        {
            if (KeyRange.Contains(request.Key, request.RangeEnd, e.Kv.Key))
            {
                (matching ??= new List<WatchEvent>(events.Length)).Add(request.PrevKv ? e : e with { PrevKv = null });
            }
        }

        return matching;
    }

    /// <summary>Hands the newly committed revisions to every watcher. Under the lock.</summary>
    private void Publish(long after, long upTo)
    {
        if (_watchers.Count == 0 || upTo <= after)
        {
            return;
        }

        foreach (var revision in _index.EventsBetween(after + 1, upTo))
        {
            foreach (var watcher in _watchers)
            {
                if (watcher.Lagging || revision.Revision <= watcher.Delivered)
                {
                    continue;
                }

                var matching = Filter(watcher.Request, revision.Events);
                if (matching is null)
                {
                    watcher.Delivered = revision.Revision;
                    continue;
                }

                if (watcher.Channel.Writer.TryWrite(matching))
                {
                    watcher.Delivered = revision.Revision;
                }
                else
                {
                    watcher.Lagging = true;
                }
            }
        }
    }
}
