using System.Diagnostics;
using System.Threading.Channels;
using Edge.Store.Embedded.Wal;

namespace Edge.Store.Embedded;

/// <summary>
/// The embedded MVCC engine: an in-memory index of every revision since the last compaction,
/// made durable by an append-only WAL with group commit, and bounded on disk by snapshots.
/// One writer task applies queued writes in batches; a batch is acknowledged only after its
/// fdatasync, and readers see only acknowledged revisions.
/// </summary>
public sealed partial class EmbeddedStore : IStore
{
    private readonly EmbeddedStoreOptions _options;
    private readonly string _walDir;
    private readonly string _snapDir;
    private readonly FileStream _lockFile;
    private readonly Lock _lock = new();
    private readonly MvccIndex _index = new();
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private WalWriter _wal = null!;
    private Task _writer = Task.CompletedTask;
    private Task _leaseTimer = Task.CompletedTask;

    /// <summary>The newest revision that is durable and visible.</summary>
    private long _committed;

    private EmbeddedStore(EmbeddedStoreOptions options, FileStream lockFile)
    {
        _options = options;
        _walDir = Path.Combine(options.Directory, "wal");
        _snapDir = Path.Combine(options.Directory, "snap");
        _lockFile = lockFile;
    }

    /// <summary>What opening found (snapshot, replayed records, a torn tail cut off).</summary>
    public RecoveryReport Recovery { get; private set; } = null!;

    /// <summary>
    /// Opens (or creates) the store in <see cref="EmbeddedStoreOptions.Directory"/>: takes the
    /// directory's lock, loads the newest snapshot, replays the WAL after it.
    /// </summary>
    public static EmbeddedStore Open(EmbeddedStoreOptions options)
    {
        var clock = Stopwatch.StartNew();
        var lockFile = TakeLock(options.Directory);
        var store = new EmbeddedStore(options, lockFile);
        try
        {
            store.Recover(clock);
        }
        catch
        {
            store._wal?.Dispose();
            lockFile.Dispose();
            throw;
        }

        store._writer = Task.Run(store.WriterLoopAsync);
        store._leaseTimer = Task.Run(store.LeaseTimerAsync);
        return store;
    }

    private static FileStream TakeLock(string directory)
    {
        if (File.Exists(directory))
        {
            throw new StoreException($"store directory {directory} is a file, not a directory");
        }

        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(Path.Combine(directory, "wal"));
            Directory.CreateDirectory(Path.Combine(directory, "snap"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot create store directory {directory}: {e.Message}", e);
        }

        var path = Path.Combine(directory, "lock");
        try
        {
            // FileShare.None takes an exclusive flock(2): a second process gets an error, and the
            // kernel releases the lock when this one dies, however it dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreException($"store directory {directory} is in use by another process (lock {path})", e);
        }
    }

    private void Recover(Stopwatch clock)
    {
        // Recovery allocates the whole index at once and frees almost nothing: background GC
        // would only trace a heap that keeps growing. Batch mode lets it run flat out
        // (measured: LowLatency, which holds off full collections, was slower).
        var latency = System.Runtime.GCSettings.LatencyMode;
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.Batch;
        try
        {
            RecoverCore(clock);
        }
        finally
        {
            System.Runtime.GCSettings.LatencyMode = latency;
        }
    }

    private void RecoverCore(Stopwatch clock)
    {
        string? snapshotPath = null;
        long walFrom = 0;
        long snapshotRevision = 0;
        var snapshots = SnapshotFile.List(_snapDir);
        foreach (var temp in Directory.EnumerateFiles(_snapDir, "*.tmp"))
        {
            File.Delete(temp); // an interrupted snapshot; the WAL still holds everything it had
        }

        if (snapshots.Count > 0)
        {
            snapshotPath = snapshots[^1];
            var (header, leases) = SnapshotFile.Load(snapshotPath, _index);
            _lastSnapshot = new SnapshotSize(new FileInfo(snapshotPath).Length, _index.Entries);
            walFrom = header.WalSequence;
            snapshotRevision = header.Revision;
            var now = _options.Time.GetUtcNow();
            foreach (var lease in leases)
            {
                _leases[lease.Id] = new LeaseState(TimeSpan.FromMilliseconds(lease.TtlMilliseconds), now + TimeSpan.FromMilliseconds(lease.TtlMilliseconds));
            }
        }

        var replay = WalRecovery.Replay(_walDir, walFrom, ApplyRecord);
        if (replay.LastSequence < 0)
        {
            _wal = WalWriter.Create(_walDir, walFrom);
        }
        else if (replay.ValidOffset == 0)
        {
            // The crash came while the segment's own header was being written.
            File.Delete(WalWriter.SegmentPath(_walDir, replay.LastSequence));
            _wal = WalWriter.Create(_walDir, replay.LastSequence);
        }
        else
        {
            _wal = WalWriter.Continue(_walDir, replay.LastSequence, replay.ValidOffset);
        }

        // The WAL replayed counts towards the next snapshot as if this process had written it.
        _walBytesSinceSnapshot = replay.Bytes;
        _committed = _index.Revision;
        Recovery = new RecoveryReport(snapshotPath, snapshotRevision, replay.Records, _index.Revision, _index.LiveKeys, replay.Dropped, clock.Elapsed);
    }

    /// <summary>Applies one WAL record during recovery; leases restart with their full TTL.</summary>
    private void ApplyRecord(RecordType type, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case RecordType.LeaseGrant:
                var (id, ttlMs) = WalRecords.ReadLong(payload);
                var ttl = TimeSpan.FromMilliseconds(ttlMs);
                _leases[id] = new LeaseState(ttl, _options.Time.GetUtcNow() + ttl);
                break;
            case RecordType.LeaseRevoke:
                _leases.Remove(WalRecords.ReadLong(payload).First);
                break;
            case RecordType.Txn or RecordType.Compact:
                ReplayInto(_index, NoLeases, type, payload);
                break;
            default:
                throw new FormatException($"unexpected record type {type} in the WAL");
        }
    }

    private static readonly Dictionary<long, long> NoLeases = [];

    public Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        lock (_lock)
        {
            return Task.FromResult(Range(request, _committed));
        }
    }

    /// <summary>A read at <paramref name="current"/> (or the request's older revision). Caller holds the lock.</summary>
    private RangeResult Range(RangeRequest request, long current)
    {
        var revision = request.Revision == 0 ? current : request.Revision;
        if (revision > current)
        {
            throw new StoreFutureRevisionException(revision, current);
        }

        if (revision < _index.CompactRevision)
        {
            throw new StoreCompactedException(_index.CompactRevision);
        }

        var kvs = new List<KeyValue>();
        long count = 0;
        foreach (var kv in _index.Range(request.Key, request.RangeEnd, revision))
        {
            count++;
            if (!request.CountOnly && (request.Limit <= 0 || kvs.Count < request.Limit))
            {
                kvs.Add(kv);
            }
            else if (request.WithoutCount && !request.CountOnly)
            {
                // One key past the limit is enough to know there are more.
                break;
            }
        }

        return new RangeResult(kvs, count, request.Limit > 0 && count > request.Limit, revision);
    }

    public Task<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var bytes = SizeOf(_walDir) + SizeOf(_snapDir);

        lock (_lock)
        {
            return Task.FromResult(new StoreStatus("embedded", _committed, _index.CompactRevision, bytes, _index.LiveKeys));
        }
    }

    /// <summary>Bytes of the files in a folder; a file a snapshot removes meanwhile counts as gone, not as an error.</summary>
    private static long SizeOf(string directory)
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (FileNotFoundException)
            {
            }
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _leaseTimer.ConfigureAwait(false);
        await _snapshotTask.ConfigureAwait(false);
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Channel.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        _wal.Dispose();
        _lockFile.Dispose();
    }

    private void ThrowIfDisposed()
    {
        if (_stopping.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(EmbeddedStore));
        }
    }
}
