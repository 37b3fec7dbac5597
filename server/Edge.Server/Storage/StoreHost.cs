using Edge.Store;
using Edge.Store.Embedded;
using Edge.Store.Etcd;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Storage;

/// <summary>
/// Opens the datastore the options ask for: the embedded engine in <c>&lt;data-dir&gt;/db</c>, or
/// an external etcd when <c>--datastore-endpoint</c> is given. Runs the scheduled snapshots of
/// the embedded engine.
/// </summary>
public sealed class StoreHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _snapshots = Task.CompletedTask;

    /// <summary>How long start-up waits for an external datastore to answer.</summary>
    public static readonly TimeSpan DatastoreWait = TimeSpan.FromSeconds(10);

    private StoreHost(IStore store) => Store = store;

    public IStore Store { get; }

    public static async Task<StoreHost> OpenAsync(ServerOptions options, ServerPaths paths, ILogger logger)
    {
        if (options.DatastoreEndpoints.Count > 0)
        {
            var etcdOptions = new EtcdStoreOptions
            {
                Endpoints = options.DatastoreEndpoints,
                CaFile = options.DatastoreCaFile,
                CertFile = options.DatastoreCertFile,
                KeyFile = options.DatastoreKeyFile,
            };
            if (etcdOptions.Validate() is { Count: > 0 } problems)
            {
                throw new StartupException("datastore: " + string.Join("; ", problems));
            }

            // etcd often starts alongside the server (same boot, same systemd target): give it
            // a little while before calling it unreachable.
            var etcd = new EtcdStore(etcdOptions);
            var deadline = DateTime.UtcNow + DatastoreWait;
            while (true)
            {
                try
                {
                    var status = await etcd.StatusAsync();
                    StoreLog.EtcdConnected(logger, string.Join(",", options.DatastoreEndpoints), status.Revision);
                    return new StoreHost(etcd);
                }
                catch (StoreException e) when (DateTime.UtcNow < deadline)
                {
                    StoreLog.EtcdWaiting(logger, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
                catch (StoreException e)
                {
                    await etcd.DisposeAsync();
                    throw new StartupException($"cannot reach the datastore: {e.Message}", e);
                }
            }
        }

        EmbeddedStore embedded;
        try
        {
            embedded = EmbeddedStore.Open(new EmbeddedStoreOptions(paths.StoreDir));
        }
        catch (StoreException e)
        {
            throw new StartupException(e.Message, e);
        }

        var recovery = embedded.Recovery;
        StoreLog.Opened(logger, paths.StoreDir, recovery.Revision, recovery.Keys, recovery.Snapshot ?? "none", recovery.WalRecords, (long)recovery.Elapsed.TotalMilliseconds);
        if (recovery.Dropped is not null)
        {
            StoreLog.TornTail(logger, recovery.Dropped);
        }

        var host = new StoreHost(embedded);
        if (options.SnapshotInterval > TimeSpan.Zero)
        {
            var directory = options.SnapshotDir ?? paths.SnapshotDir;
            host._snapshots = Task.Run(() => host.ScheduleSnapshotsAsync(embedded, directory, options.SnapshotInterval, options.SnapshotRetention, logger));
        }

        return host;
    }

    /// <summary>Saves <c>edge-snapshot-&lt;UTC time&gt;.snap</c> every interval and keeps the newest <paramref name="retention"/>.</summary>
    private async Task ScheduleSnapshotsAsync(EmbeddedStore store, string directory, TimeSpan interval, int retention, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    Directory.CreateDirectory(directory);
                    var path = Path.Combine(directory, $"edge-snapshot-{DateTime.UtcNow:yyyyMMdd-HHmmss}.snap");
                    await store.SaveSnapshotAsync(path, _stopping.Token);
                    StoreLog.SnapshotSaved(logger, path);
                    foreach (var old in Directory.GetFiles(directory, "edge-snapshot-*.snap").Order(StringComparer.Ordinal).SkipLast(retention))
                    {
                        File.Delete(old);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreException)
                {
                    StoreLog.SnapshotFailed(logger, directory, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _snapshots;
        await Store.DisposeAsync();
    }
}

internal static partial class StoreLog
{
    [LoggerMessage(20, LogLevel.Information, "store {Directory}: revision {Revision}, {Keys} keys (snapshot {Snapshot} + {WalRecords} WAL records, {Milliseconds} ms)")]
    public static partial void Opened(ILogger logger, string directory, long revision, long keys, string snapshot, long walRecords, long milliseconds);

    [LoggerMessage(21, LogLevel.Warning, "store recovery: {What}")]
    public static partial void TornTail(ILogger logger, string what);

    [LoggerMessage(22, LogLevel.Information, "datastore etcd {Endpoints}: revision {Revision}")]
    public static partial void EtcdConnected(ILogger logger, string endpoints, long revision);

    [LoggerMessage(25, LogLevel.Warning, "waiting for the datastore: {Reason}")]
    public static partial void EtcdWaiting(ILogger logger, string reason);

    [LoggerMessage(23, LogLevel.Information, "saved snapshot {Path}")]
    public static partial void SnapshotSaved(ILogger logger, string path);

    [LoggerMessage(24, LogLevel.Error, "scheduled snapshot into {Directory} failed: {Reason}")]
    public static partial void SnapshotFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(25, LogLevel.Debug, "compacted the store to revision {Revision}")]
    public static partial void Compacted(ILogger logger, long revision);

    [LoggerMessage(26, LogLevel.Warning, "compacting the store failed: {Reason}")]
    public static partial void CompactionFailed(ILogger logger, string reason);
}
