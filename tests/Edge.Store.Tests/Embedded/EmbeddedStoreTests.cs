using System.Text;
using Edge.Store.Embedded;

namespace Edge.Store.Tests.Embedded;

/// <summary>What only the embedded engine promises: its files, its lock, its recovery.</summary>
public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edge-store-").FullName;

    private string Dir => Path.Combine(_root, "store");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private EmbeddedStore Open(long segmentBytes = 64L << 20, long maxWal = 128L << 20) =>
        EmbeddedStore.Open(new EmbeddedStoreOptions(Dir) { SegmentBytes = segmentBytes, MaxWalBytesBetweenSnapshots = maxWal });

    private static Task<TxnResult> Put(IStore store, string key, string value) =>
        store.TxnAsync(TxnRequest.Do(new PutOp(key, Encoding.UTF8.GetBytes(value))));

    private static async Task<string?> Get(IStore store, string key) =>
        (await store.RangeAsync(new RangeRequest(key))).Kvs.SingleOrDefault() is { } kv ? Encoding.UTF8.GetString(kv.Value) : null;

    [Fact]
    public async Task Open_SecondOpenOfSameDirectory_RefusedWhileFirstIsOpen()
    {
        await using var first = Open();

        var e = Assert.Throws<StoreException>(() => Open());

        Assert.Contains("in use by another process", e.Message);
    }

    [Fact]
    public async Task Open_DirectoryIsAFile_RefusedClearly()
    {
        File.WriteAllText(Dir, "");

        var e = Assert.Throws<StoreException>(() => Open());

        Assert.Equal($"store directory {Dir} is a file, not a directory", e.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Reopen_KeepsEveryAcknowledgedWriteAndRevision()
    {
        long last;
        await using (var store = Open())
        {
            for (var i = 0; i < 100; i++)
            {
                await Put(store, $"/k/{i % 10}", $"v{i}");
            }

            last = (await store.StatusAsync()).Revision;
        }

        await using var reopened = Open();

        Assert.Equal(last, (await reopened.StatusAsync()).Revision);
        Assert.Equal("v99", await Get(reopened, "/k/9"));
        Assert.Equal(10, (await reopened.RangeAsync(RangeRequest.Prefix("/k/"))).Count);
        Assert.Equal(100, reopened.Recovery.WalRecords);
    }

    [Fact]
    public async Task SmallSegmentsAndBound_SnapshotDropsOldSegmentsAndReopenIsIdentical()
    {
        await using (var store = Open(segmentBytes: 16 << 10, maxWal: 64 << 10))
        {
            for (var i = 0; i < 2000; i++)
            {
                await Put(store, $"/k/{i % 50}", new string('x', 100) + i);
            }

            await store.DisposeAsync();
        }

        var walFiles = Directory.GetFiles(Path.Combine(Dir, "wal"));
        var walBytes = walFiles.Sum(f => new FileInfo(f).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Dir, "snap"), "*.snap"));
        Assert.True(walBytes < 64 << 10 + 32 << 10, $"WAL holds {walBytes} bytes in {walFiles.Length} segments");

        await using var reopened = Open(segmentBytes: 16 << 10, maxWal: 64 << 10);
        Assert.Equal(2000, (await reopened.StatusAsync()).Revision);
        Assert.EndsWith("1999", await Get(reopened, "/k/49"));
        Assert.NotNull(reopened.Recovery.Snapshot);
    }

    [Fact]
    public async Task Compact_FreesHistoryInMemoryAndOnDisk()
    {
        await using var store = Open(segmentBytes: 64 << 10);
        var big = new string('v', 4000);
        for (var i = 0; i < 500; i++)
        {
            await Put(store, "/hot", big + i);
        }

        var before = (await store.StatusAsync()).DbSizeBytes;
        await store.CompactAsync((await store.StatusAsync()).Revision);
        await Put(store, "/after", "x"); // the snapshot that frees the disk is taken between batches
        for (var i = 0; i < 200 && (await store.StatusAsync()).DbSizeBytes > before / 4; i++)
        {
            await Task.Delay(100);
        }

        var after = (await store.StatusAsync()).DbSizeBytes;
        Assert.True(after < before / 4, $"store was {before} bytes before compaction and {after} after");
    }

    /// <summary>Writes 400 revisions of 1 KB over <paramref name="keys"/> keys with snapshots on; returns the one left.</summary>
    private async Task<(string Path, long Bytes)> FillWithASnapshotAsync(int keys)
    {
        await using (var store = Open(segmentBytes: 16 << 10, maxWal: 64 << 10))
        {
            for (var i = 0; i < 400; i++)
            {
                await Put(store, $"/k/{i % keys}", new string('v', 1000) + i);
            }
        }

        var snapshot = Directory.GetFiles(Path.Combine(Dir, "snap"), "*.snap").Single();
        return (snapshot, new FileInfo(snapshot).Length);
    }

    private async Task<string> WaitForASnapshotOtherThanAsync(string old)
    {
        // The new snapshot is renamed in first, the old one removed after it.
        string[] files = [];
        for (var i = 0; i < 100 && !((files = Directory.GetFiles(Path.Combine(Dir, "snap"), "*.snap")) is [var only] && only != old); i++)
        {
            await Task.Delay(100);
        }

        var snapshot = Assert.Single(files);
        Assert.NotEqual(old, snapshot);
        return snapshot;
    }

    [Fact]
    public async Task Compact_FreeingLittle_NoSnapshotUntilTheWalBound()
    {
        var (first, firstBytes) = await FillWithASnapshotAsync(keys: 400);
        Assert.True(firstBytes > 200_000, $"the snapshot holds most of the 400 keys ({firstBytes} bytes)");

        await using var store = Open(segmentBytes: 16 << 10, maxWal: 256 << 10);
        await store.CompactAsync((await store.StatusAsync()).Revision);
        await Put(store, "/after", "x");
        await Task.Delay(500);
        // Every key was written once: compaction freed nothing, and rewriting the whole store
        // now would cost its full size for nothing.
        Assert.Equal([first], Directory.GetFiles(Path.Combine(Dir, "snap"), "*.snap"));
        Assert.Empty(Directory.GetFiles(Path.Combine(Dir, "snap"), "*.tmp"));

        for (var i = 0; i < 300; i++)
        {
            await Put(store, $"/more/{i}", new string('w', 1000));
        }

        await WaitForASnapshotOtherThanAsync(first);
        Assert.Equal(new string('w', 1000), await Get(store, "/more/299"));
    }

    [Fact]
    public async Task Compact_FreeingMostHistory_SnapshotSoonShrinksTheDisk()
    {
        var (first, firstBytes) = await FillWithASnapshotAsync(keys: 20);

        await using var store = Open(segmentBytes: 16 << 10, maxWal: 128L << 20);
        await store.CompactAsync((await store.StatusAsync()).Revision);
        await Put(store, "/after", "x");

        var second = await WaitForASnapshotOtherThanAsync(first);
        // The first snapshot holds at least the 64 KiB of history that triggered it (more when a
        // later one finished before the store closed: on a loaded machine it may not); the new
        // one holds only the 20 live keys of ~1 KB each.
        var secondBytes = new FileInfo(second).Length;
        Assert.True(secondBytes < 32 * 1024 && secondBytes < firstBytes / 2, $"snapshot of {secondBytes} bytes after compaction; {firstBytes} before");
        Assert.Equal(new string('v', 1000) + 399, await Get(store, "/k/19"));
    }

    [Fact]
    public async Task SaveAndRestoreSnapshot_RestoredStoreHasSameData()
    {
        var backup = Path.Combine(_root, "backup.snap");
        await using (var store = Open())
        {
            await Put(store, "/a", "1");
            await Put(store, "/b", "2");
            await store.SaveSnapshotAsync(backup);
        }

        var restoredDir = Path.Combine(_root, "restored");
        var revision = EmbeddedStore.RestoreSnapshot(backup, restoredDir);
        await using var restored = EmbeddedStore.Open(new EmbeddedStoreOptions(restoredDir));

        Assert.Equal(2, revision);
        Assert.Equal("2", await Get(restored, "/b"));
        await Put(restored, "/c", "3");
        Assert.Equal(3, (await restored.StatusAsync()).Revision);
        Assert.Throws<StoreException>(() => EmbeddedStore.RestoreSnapshot(backup, restoredDir));
    }

    [Fact]
    public async Task SaveSnapshotOf_WhileAnotherStoreWrites_CapturesAConsistentPrefix()
    {
        await using var store = Open(segmentBytes: 16 << 10, maxWal: 64 << 10);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await store.TxnAsync(TxnRequest.Do(new PutOp($"/live/{i % 100}", Encoding.UTF8.GetBytes(i.ToString())), new PutOp($"/mirror/{i % 100}", Encoding.UTF8.GetBytes(i.ToString()))));
            }
        });
        await Task.Delay(200);

        var backup = Path.Combine(_root, "live.snap");
        var revision = EmbeddedStore.SaveSnapshotOf(Dir, backup);
        stop.Cancel();
        await writer;

        var restoredDir = Path.Combine(_root, "from-live");
        Assert.Equal(revision, EmbeddedStore.RestoreSnapshot(backup, restoredDir));
        await using var restored = EmbeddedStore.Open(new EmbeddedStoreOptions(restoredDir));
        Assert.True(revision > 0);
        Assert.Equal(revision, (await restored.StatusAsync()).Revision);
        var live = (await restored.RangeAsync(RangeRequest.Prefix("/live/"))).Kvs;
        var mirror = (await restored.RangeAsync(RangeRequest.Prefix("/mirror/"))).Kvs;
        Assert.Equal(live.Select(kv => Encoding.UTF8.GetString(kv.Value)), mirror.Select(kv => Encoding.UTF8.GetString(kv.Value)));
    }

    [Fact]
    public async Task RestoreSnapshot_Garbage_RefusedAndLeavesNothing()
    {
        var garbage = Path.Combine(_root, "garbage.snap");
        File.WriteAllText(garbage, "not a snapshot at all");
        var target = Path.Combine(_root, "target");

        Assert.ThrowsAny<StoreException>(() => EmbeddedStore.RestoreSnapshot(garbage, target));
        Assert.False(Directory.Exists(target));
        await Task.CompletedTask;
    }
}
