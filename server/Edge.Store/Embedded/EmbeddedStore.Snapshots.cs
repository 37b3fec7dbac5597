using Edge.Native;
using Edge.Store.Embedded.Wal;

namespace Edge.Store.Embedded;

public sealed partial class EmbeddedStore
{
    private Task _snapshotTask = Task.CompletedTask;

    /// <summary>The newest snapshot file's size and entries (none before the first).</summary>
    private SnapshotSize _lastSnapshot = new(0, 0);

    private sealed record SnapshotSize(long Bytes, long Entries);

    /// <summary>
    /// Between batches: starts a new segment when the current one is full, and takes a snapshot
    /// when the WAL since the last one passed its bound, or after a compaction once a snapshot
    /// would at least halve what the store occupies on disk (the last snapshot plus the WAL since,
    /// against the new snapshot estimated from the entries now held). The snapshot lets the
    /// segments before it go, which is what gives the disk back; but it rewrites everything live,
    /// so it is taken only when it frees at least as much as it writes. (A snapshot after every
    /// compaction — the API server compacts every 5 minutes — rewrote the whole store each time,
    /// however little the compaction freed: flash wear for nothing.)
    /// </summary>
    private void MaybeRotateAndSnapshot()
    {
        var snapshotDue = _walBytesSinceSnapshot >= _options.MaxWalBytesBetweenSnapshots
            || (_compactedSinceSnapshot && SnapshotHalvesTheDisk());
        if (!snapshotDue && _wal.Offset < _options.SegmentBytes)
        {
            return;
        }

        try
        {
            _wal.Rotate();
        }
        catch (IOException)
        {
            return; // a full disk: keep appending to the current segment; the next batch will report the error
        }

        if (!snapshotDue || !_snapshotTask.IsCompleted)
        {
            return;
        }

        // The new segment starts after everything captured here.
        var (revision, compactRevision, entries, leases) = Capture();
        var firstSegmentAfter = _wal.Sequence;
        _walBytesSinceSnapshot = 0;
        _compactedSinceSnapshot = false;
        // Sorting and writing hundreds of MB is background work: it must not take the CPU from
        // the writer loop and the requests waiting on it (on 2 cores it otherwise shows in p99).
        _snapshotTask = BackgroundThread.Run("edge-store-snapshot", () => WriteSnapshot(revision, compactRevision, firstSegmentAfter, entries, leases));
    }

    private bool SnapshotHalvesTheDisk()
    {
        var last = Volatile.Read(ref _lastSnapshot);
        var estimate = last.Entries == 0 ? 0 : last.Bytes * _index.Entries / last.Entries;
        return last.Bytes + _walBytesSinceSnapshot >= 2 * estimate;
    }

    /// <summary>
    /// What a snapshot holds, as of the newest durable revision: a list of references to
    /// immutable entries, so the lock is held only for the copy (sorting happens outside).
    /// </summary>
    private (long Revision, long CompactRevision, List<(string Key, MvccIndex.Entry Entry)> Entries, List<SnapshotLease> Leases) Capture()
    {
        lock (_lock)
        {
            return (_committed, _index.CompactRevision, _index.AllEntries(),
                _leases.Select(l => new SnapshotLease(l.Key, (long)l.Value.Ttl.TotalMilliseconds)).ToList());
        }
    }

    private void WriteSnapshot(long revision, long compactRevision, long walSequence, List<(string Key, MvccIndex.Entry Entry)> entries, List<SnapshotLease> leases)
    {
        try
        {
            MvccIndex.SortByRevision(entries);
            var path = SnapshotFile.PathFor(_snapDir, revision);
            SnapshotFile.Write(path, revision, compactRevision, walSequence, entries, leases);
            Volatile.Write(ref _lastSnapshot, new SnapshotSize(new FileInfo(path).Length, entries.Count));
            // Oldest first, so a crash midway leaves the newest files whole. Gradually: dropping
            // hundreds of MB at once stalls the WAL's commits behind the journal (and discards).
            foreach (var sequence in WalWriter.ListSegments(_walDir).Where(s => s < walSequence))
            {
                FileSystem.DeleteGradually(WalWriter.SegmentPath(_walDir, sequence));
            }

            foreach (var old in SnapshotFile.List(_snapDir).Where(p => p != path))
            {
                FileSystem.DeleteGradually(old);
            }
        }
        catch (IOException)
        {
            // The WAL still holds everything (AtomicFile removed its temp file); a later snapshot will try again.
            _walBytesSinceSnapshot = _options.MaxWalBytesBetweenSnapshots;
        }
    }

    /// <summary>
    /// Writes a consistent copy of the store to <paramref name="path"/> (a backup that
    /// <see cref="RestoreSnapshot"/> turns back into a data dir).
    /// </summary>
    public Task SaveSnapshotAsync(string path, CancellationToken cancellationToken = default)
    {
        var (revision, compactRevision, entries, leases) = Capture();
        entries.RemoveAll(e => e.Entry.Revision > revision);
        MvccIndex.SortByRevision(entries);
        return Task.Run(() => SnapshotFile.Write(Path.GetFullPath(path), revision, compactRevision, 0, entries, leases), cancellationToken);
    }

    /// <summary>
    /// Writes a snapshot of the store in <paramref name="directory"/> without opening it for
    /// writing, so it works while a server holds the store: it reads the newest snapshot and the
    /// WAL as they are on disk, stops at a record still being written, and changes nothing.
    /// Returns the revision saved.
    /// </summary>
    public static long SaveSnapshotOf(string directory, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var index = new MvccIndex();
                var leases = new Dictionary<long, long>();
                var snapDir = Path.Combine(directory, "snap");
                var walDir = Path.Combine(directory, "wal");
                if (!Directory.Exists(walDir))
                {
                    throw new StoreException($"{directory} holds no store");
                }

                long walFrom = 0;
                if (SnapshotFile.List(snapDir) is { Count: > 0 } snapshots)
                {
                    var (header, snapshotLeases) = SnapshotFile.Load(snapshots[^1], index);
                    walFrom = header.WalSequence;
                    foreach (var lease in snapshotLeases)
                    {
                        leases[lease.Id] = lease.TtlMilliseconds;
                    }
                }

                WalRecovery.Replay(walDir, walFrom, (type, payload) => ReplayInto(index, leases, type, payload));
                var entries = index.AllEntries();
                MvccIndex.SortByRevision(entries);
                SnapshotFile.Write(Path.GetFullPath(path), index.Revision, index.CompactRevision, 0, entries,
                    leases.Select(l => new SnapshotLease(l.Key, l.Value)).ToList());
                return index.Revision;
            }
            catch (Exception e) when (attempt < 3 && e is FileNotFoundException or StoreCorruptException)
            {
                // The server replaced its snapshot and dropped old segments while we read: read again.
            }
        }
    }

    private static void ReplayInto(MvccIndex index, Dictionary<long, long> leases, RecordType type, ReadOnlySpan<byte> payload)
    {
        switch (type)
        {
            case RecordType.Txn:
                var (revision, mutations) = WalRecords.ReadTxn(payload, index.InternKey);
                if (revision <= index.Revision)
                {
                    return;
                }

                foreach (var m in mutations)
                {
                    if (m.Value is null)
                    {
                        index.Delete(m.Key, revision);
                    }
                    else
                    {
                        index.Put(m.Key, m.Value, m.Lease, revision);
                    }
                }

                index.EndRevision(revision);
                break;
            case RecordType.LeaseGrant:
                var (id, ttl) = WalRecords.ReadLong(payload);
                leases[id] = ttl;
                break;
            case RecordType.LeaseRevoke:
                leases.Remove(WalRecords.ReadLong(payload).First);
                break;
            case RecordType.Compact:
                index.Compact(WalRecords.ReadLong(payload).First);
                break;
        }
    }

    /// <summary>
    /// Turns a snapshot file into a new store directory. Refuses a directory that already holds
    /// a store, so a restore never mixes two histories.
    /// </summary>
    public static long RestoreSnapshot(string snapshotPath, string directory)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new StoreException($"{directory} is not empty; restore only into an empty or new directory");
        }

        var check = new MvccIndex();
        var (header, _) = SnapshotFile.Load(snapshotPath, check);
        Directory.CreateDirectory(Path.Combine(directory, "snap"));
        Directory.CreateDirectory(Path.Combine(directory, "wal"));
        AtomicFile.Write(SnapshotFile.PathFor(Path.Combine(directory, "snap"), header.Revision), target =>
        {
            using var source = File.OpenRead(snapshotPath);
            source.CopyTo(target);
        }, AtomicFile.WorldReadable);
        return header.Revision;
    }
}
