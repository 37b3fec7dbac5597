using Edge.Native;
using Edge.Store.Embedded.Wal;

namespace Edge.Store.Embedded;

/// <summary>A lease as a snapshot keeps it.</summary>
internal readonly record struct SnapshotLease(long Id, long TtlMilliseconds);

/// <summary>
/// A snapshot of the embedded engine: all history kept since the last compaction plus the
/// leases, as of <see cref="Revision"/>; replay continues with WAL segment <see cref="WalSequence"/>.
/// File: <c>snap/&lt;revision&gt;.snap</c>, the same framed records as the WAL, written to a temp
/// name, fsynced, renamed, and the directory fsynced.
/// </summary>
internal sealed record SnapshotFile(long Revision, long CompactRevision, long WalSequence)
{
    /// <summary>
    /// The snapshot goes to disk in steps of this size, each written back and waited for before the
    /// next (<see cref="WriteBackGently"/>).
    /// </summary>
    private const int WriteBackStep = 256 << 10;

    /// <summary>How much snapshot is written between the fdatasyncs that commit its block allocations.</summary>
    private const long CommitEvery = 32L << 20;

    public static string PathFor(string directory, long revision) => Path.Combine(directory, $"{revision:D16}.snap");

    public static List<string> List(string directory) =>
        Directory.EnumerateFiles(directory, "*.snap").Order(StringComparer.Ordinal).ToList();

    public static void Write(
        string path, long revision, long compactRevision, long walSequence,
        IReadOnlyList<(string Key, MvccIndex.Entry Entry)> entries, IReadOnlyList<SnapshotLease> leases)
    {
        AtomicFile.Write(path, file =>
        {
            var frames = new ByteWriter(1 << 20);
            long written = 0;
            var payload = new ByteWriter(1 << 12);
            payload.WriteInt64(WalRecords.FormatVersion);
            payload.WriteInt64(revision);
            payload.WriteInt64(compactRevision);
            payload.WriteInt64(walSequence);
            payload.WriteInt64(entries.Count);
            payload.WriteInt64(leases.Count);
            RecordFrame.Write(frames, RecordType.SnapshotHeader, payload.Span);
            foreach (var lease in leases)
            {
                WalRecords.WriteLong(frames, RecordType.SnapshotLease, lease.Id, lease.TtlMilliseconds);
            }

            foreach (var (key, entry) in entries)
            {
                payload.Clear();
                payload.WriteString(key);
                payload.WriteInt64(entry.Revision);
                if (entry.Kv is { } kv)
                {
                    payload.WriteByte(1);
                    payload.WriteInt64(kv.CreateRevision);
                    payload.WriteInt64(kv.Version);
                    payload.WriteInt64(kv.Lease);
                    payload.WriteBytes(kv.Value);
                }
                else
                {
                    payload.WriteByte(0);
                }

                RecordFrame.Write(frames, RecordType.SnapshotEntry, payload.Span);
                if (frames.Length >= WriteBackStep)
                {
                    file.Write(frames.Span);
                    frames.Clear();
                    WriteBackGently(file, ref written, path);
                }
            }

            WalRecords.WriteLong(frames, RecordType.SnapshotEnd, entries.Count);
            file.Write(frames.Span);
        }, AtomicFile.WorldReadable);
    }

    /// <summary>
    /// Sends what the stream holds beyond <paramref name="written"/> to the device and waits for
    /// it, then pauses as long as that took. The WAL's fdatasync shares the disk (and, on ext4, the
    /// journal, whose commit first writes out every dirty page it allocated): with at most one
    /// step in flight and the disk left idle half the time, a commit waits behind a quarter of a
    /// MiB at worst, not behind hundreds of MB of snapshot. An fsync per step instead would add a
    /// journal commit and a device cache flush to each.
    /// </summary>
    private static void WriteBackGently(FileStream file, ref long written, string path)
    {
        file.Flush(flushToDisk: false);
        var end = file.Position;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        FileSystem.WriteBack(file.SafeFileHandle, written, end - written, path);
        if (end / CommitEvery != written / CommitEvery)
        {
            // The data is on the device already; this commits the blocks it was given, a few at a
            // time, instead of all of them in the final fsync.
            FileSystem.SyncData(file.SafeFileHandle, path);
        }

        written = end;
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Thread.Sleep(took < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : took);
    }

    /// <summary>Loads a snapshot into an empty index; returns its header and leases.</summary>
    public static (SnapshotFile Header, List<SnapshotLease> Leases) Load(string path, MvccIndex index)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new FrameReader(stream);
        if (!reader.TryNext(path, out var type, out var payload) || type != RecordType.SnapshotHeader)
        {
            throw new StoreCorruptException($"snapshot {path} does not start with a snapshot header");
        }

        var header = new ByteReader(payload);
        var version = header.ReadInt64();
        if (version != WalRecords.FormatVersion)
        {
            throw new StoreCorruptException($"snapshot {path} has format version {version}; this build reads {WalRecords.FormatVersion}");
        }

        var snapshot = new SnapshotFile(header.ReadInt64(), header.ReadInt64(), header.ReadInt64());
        var expectedEntries = header.ReadInt64();

        // Reading and decoding (checksums, UTF-8, value copies) runs on a second thread while
        // this one applies the entries to the index: recovery time is what a restarted device
        // waits for, and the two halves cost about the same.
        using var batches = new System.Collections.Concurrent.BlockingCollection<DecodedEntry[]>(boundedCapacity: 8);
        var decoding = Task.Run(() => Decode(path, reader, batches));
        long openRevision = -1;
        foreach (var batch in batches.GetConsumingEnumerable())
        {
            foreach (var entry in batch)
            {
                if (entry.Revision != openRevision)
                {
                    if (openRevision >= 0)
                    {
                        index.EndRevision(openRevision);
                    }

                    openRevision = entry.Revision;
                }

                if (entry.Value is not null)
                {
                    index.Put(entry.Key, entry.Value, entry.Lease, entry.Revision, entry.CreateRevision, entry.Version);
                }
                else
                {
                    index.Delete(entry.Key, entry.Revision);
                }
            }
        }

        var (entries, leases) = decoding.GetAwaiter().GetResult();
        if (openRevision >= 0)
        {
            index.EndRevision(openRevision);
        }

        if (entries != expectedEntries)
        {
            throw new StoreCorruptException($"snapshot {path} holds {entries} entries; its header says {expectedEntries}");
        }

        index.RestoreCompactRevision(snapshot.CompactRevision);
        index.SetRevision(snapshot.Revision);
        return (snapshot, leases);
    }

    /// <summary>One decoded entry; <see cref="Value"/> null marks a delete.</summary>
    private readonly record struct DecodedEntry(string Key, long Revision, byte[]? Value, long CreateRevision, long Version, long Lease);

    /// <summary>Reads every record after the header; hands entries over in batches; returns the count and the leases.</summary>
    private static (long Entries, List<SnapshotLease> Leases) Decode(string path, FrameReader reader, System.Collections.Concurrent.BlockingCollection<DecodedEntry[]> output)
    {
        const int BatchSize = 4096;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
        var leases = new List<SnapshotLease>();
        var batch = new List<DecodedEntry>(BatchSize);
        long entries = 0;
        char[] chars = new char[256];
        try
        {
            while (reader.TryNext(path, out var type, out var payload))
            {
                switch (type)
                {
                    case RecordType.SnapshotLease:
                        var (id, ttl) = WalRecords.ReadLong(payload);
                        leases.Add(new SnapshotLease(id, ttl));
                        break;

                    case RecordType.SnapshotEntry:
                        var entry = new ByteReader(payload);
                        var utf8 = entry.ReadUtf8();
                        if (chars.Length < utf8.Length)
                        {
                            chars = new char[utf8.Length];
                        }

                        var span = chars.AsSpan(0, System.Text.Encoding.UTF8.GetChars(utf8, chars));
                        if (!lookup.TryGetValue(span, out var key))
                        {
                            key = new string(span);
                            keys[key] = key;
                        }

                        var revision = entry.ReadInt64();
                        batch.Add(entry.ReadByte() == 1
                            ? new DecodedEntry(key, revision, CreateRevision: entry.ReadInt64(), Version: entry.ReadInt64(), Lease: entry.ReadInt64(), Value: entry.ReadBytes())
                            : new DecodedEntry(key, revision, null, 0, 0, 0));
                        entries++;
                        if (batch.Count == BatchSize)
                        {
                            output.Add([.. batch]);
                            batch.Clear();
                        }

                        break;

                    case RecordType.SnapshotEnd:
                        if (WalRecords.ReadLong(payload).First != entries)
                        {
                            throw new StoreCorruptException($"snapshot {path} holds {entries} entries; its end marker disagrees");
                        }

                        if (batch.Count > 0)
                        {
                            output.Add([.. batch]);
                        }

                        return (entries, leases);

                    default:
                        throw new StoreCorruptException($"snapshot {path} holds an unexpected record type {type}");
                }
            }

            throw new StoreCorruptException($"snapshot {path} ends before its end marker");
        }
        catch (FormatException e)
        {
            throw new StoreCorruptException($"snapshot {path}: an entry does not decode: {e.Message}");
        }
        finally
        {
            output.CompleteAdding();
        }
    }
}
