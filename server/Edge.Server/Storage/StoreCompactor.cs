using Edge.Store;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Storage;

/// <summary>
/// Keeps the store's history bounded as upstream's API server does: every interval it compacts
/// to the revision it saw one interval earlier, so watchers and paged lists have that long to
/// resume before they get 410 Gone.
/// </summary>
public sealed class StoreCompactor : IAsyncDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private StoreCompactor(IStore store, ILogger logger, TimeSpan interval) =>
        _loop = Task.Run(() => LoopAsync(store, logger, interval, _stop.Token));

    public static StoreCompactor Start(IStore store, ILogger logger, TimeSpan? interval = null) =>
        new(store, logger, interval ?? DefaultInterval);

    private static async Task LoopAsync(IStore store, ILogger logger, TimeSpan interval, CancellationToken cancellationToken)
    {
        long previous = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, cancellationToken);
                try
                {
                    var status = await store.StatusAsync(cancellationToken);
                    if (previous > status.CompactRevision)
                    {
                        await store.CompactAsync(previous, cancellationToken);
                        StoreLog.Compacted(logger, previous);
                    }

                    previous = status.Revision;
                }
                catch (StoreException e)
                {
                    StoreLog.CompactionFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
