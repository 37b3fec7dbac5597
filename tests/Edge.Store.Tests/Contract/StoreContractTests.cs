using System.Text;
using Edge.Store;

namespace Edge.Store.Tests.Contract;

/// <summary>
/// What every engine must do, run against each of them (Embedded/, Etcd/). Revisions are compared
/// relative to the store's revision at the start of the test: etcd's are global to the cluster.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private IStore? _store;

    /// <summary>A unique key prefix, so tests sharing one etcd never see each other's keys.</summary>
    protected string Prefix { get; } = $"/contract/{Guid.NewGuid():N}/";

    protected IStore Store => _store ?? throw new InvalidOperationException("store not created");

    /// <summary>A fresh store (or a fresh client of a shared one).</summary>
    protected abstract Task<IStore> CreateStoreAsync();

    /// <summary>Closes the store and opens it again on the same data (a restart of the server).</summary>
    protected abstract Task<IStore> ReopenStoreAsync(IStore store);

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private string K(string name) => Prefix + name;

    private async Task<long> PutAsync(string key, string value, long lease = 0) =>
        (await Store.TxnAsync(TxnRequest.Do(new PutOp(key, Bytes(value), lease)))).Revision;

    private async Task<KeyValue?> GetAsync(string key, long revision = 0) =>
        (await Store.RangeAsync(new RangeRequest(key) { Revision = revision })).Kvs.SingleOrDefault();

    [Fact]
    public async Task Put_ThenRange_ReturnsValueAndRevisions()
    {
        var rev = await PutAsync(K("a"), "1");
        var rev2 = await PutAsync(K("a"), "2");

        var kv = await GetAsync(K("a"));

        Assert.NotNull(kv);
        Assert.Equal("2", Text(kv.Value));
        Assert.Equal(rev, kv.CreateRevision);
        Assert.Equal(rev2, kv.ModRevision);
        Assert.Equal(2, kv.Version);
        Assert.Equal(0, kv.Lease);
    }

    [Fact]
    public async Task Revisions_StrictlyIncreaseAcrossPutsAndDeletes()
    {
        var start = (await Store.StatusAsync()).Revision;
        var seen = new List<long> { start };
        for (var i = 0; i < 10; i++)
        {
            seen.Add(await PutAsync(K($"k{i}"), "v"));
            if (i % 3 == 0)
            {
                seen.Add((await Store.TxnAsync(TxnRequest.Do(new DeleteOp(K($"k{i}"))))).Revision);
            }
        }

        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen[^1], (await Store.StatusAsync()).Revision);
    }

    [Fact]
    public async Task Txn_CompareFails_RunsFailureBranchAndWritesNothing()
    {
        var rev = await PutAsync(K("x"), "old");

        var result = await Store.TxnAsync(new TxnRequest(
            [Compare.ModRevisionIs(K("x"), rev - 1)],
            [new PutOp(K("x"), Bytes("new")), new PutOp(K("y"), Bytes("new"))],
            [new RangeOp(new RangeRequest(K("x")))]));

        Assert.False(result.Succeeded);
        Assert.Equal(rev, result.Revision);
        var range = Assert.IsType<RangeOpResult>(Assert.Single(result.Results));
        Assert.Equal("old", Text(Assert.Single(range.Range.Kvs).Value));
        Assert.Null(await GetAsync(K("y")));
        Assert.Equal(rev, (await Store.StatusAsync()).Revision);
    }

    [Fact]
    public async Task Txn_Succeeds_AppliesEveryOperationAtOneRevision()
    {
        await PutAsync(K("gone"), "x");

        var result = await Store.TxnAsync(new TxnRequest(
            [Compare.Missing(K("new1")), new Compare(K("gone"), CompareTarget.Value, CompareResult.Equal, Value: Bytes("x"))],
            [new PutOp(K("new1"), Bytes("1")), new PutOp(K("new2"), Bytes("2")), new DeleteOp(K("gone"), PrevKv: true)]));

        Assert.True(result.Succeeded);
        Assert.Equal(result.Revision, (await GetAsync(K("new1")))!.ModRevision);
        Assert.Equal(result.Revision, (await GetAsync(K("new2")))!.ModRevision);
        Assert.Null(await GetAsync(K("gone")));
        var deleted = Assert.IsType<DeleteResult>(result.Results[2]);
        Assert.Equal(1, deleted.Deleted);
        Assert.Equal("x", Text(Assert.Single(deleted.PrevKvs).Value));
    }

    [Fact]
    public async Task Txn_OptimisticConcurrency_SecondWriterWithStaleRevisionLoses()
    {
        var rev = await PutAsync(K("obj"), "v1");
        var update = (string value) => Store.TxnAsync(new TxnRequest([Compare.ModRevisionIs(K("obj"), rev)], [new PutOp(K("obj"), Bytes(value))]));

        var first = await update("from-a");
        var second = await update("from-b");

        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal("from-a", Text((await GetAsync(K("obj")))!.Value));
    }

    [Theory]
    [InlineData(CompareTarget.Version, CompareResult.Equal, 2, true)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, 1, true)]
    [InlineData(CompareTarget.Version, CompareResult.Less, 2, false)]
    [InlineData(CompareTarget.Version, CompareResult.NotEqual, 2, false)]
    [InlineData(CompareTarget.Lease, CompareResult.Equal, 0, true)]
    public async Task Txn_CompareTargets_EvaluateLikeEtcd(CompareTarget target, CompareResult op, long number, bool expected)
    {
        await PutAsync(K("c"), "1");
        await PutAsync(K("c"), "2");

        var result = await Store.TxnAsync(new TxnRequest([new Compare(K("c"), target, op, number)], []));

        Assert.Equal(expected, result.Succeeded);
    }

    [Fact]
    public async Task Txn_OversizedValue_RefusedAndNothingWritten()
    {
        var before = (await Store.StatusAsync()).Revision;

        await Assert.ThrowsAnyAsync<StoreRequestException>(() => Store.TxnAsync(TxnRequest.Do(
            new PutOp(K("ok"), Bytes("fine")),
            new PutOp(K("big"), new byte[StoreLimits.MaxValueBytes + 1]))));

        Assert.Null(await GetAsync(K("ok")));
        Assert.Equal(before, (await Store.StatusAsync()).Revision);
    }

    [Fact]
    public async Task Put_OversizedKey_Refused()
    {
        await Assert.ThrowsAnyAsync<StoreRequestException>(() => PutAsync(K(new string('k', StoreLimits.MaxKeyBytes + 1)), "v"));
    }

    [Fact]
    public async Task Range_PrefixWithLimit_ReportsCountAndMoreInKeyOrder()
    {
        foreach (var name in new[] { "b", "a", "c", "d" })
        {
            await PutAsync(K("p/" + name), name);
        }

        await PutAsync(K("q"), "outside");

        var page = await Store.RangeAsync(RangeRequest.Prefix(K("p/")) with { Limit = 2 });
        var all = await Store.RangeAsync(RangeRequest.Prefix(K("p/")));
        var count = await Store.RangeAsync(RangeRequest.Prefix(K("p/")) with { CountOnly = true });
        var between = await Store.RangeAsync(new RangeRequest(K("p/b")) { RangeEnd = K("p/d") });

        Assert.Equal([K("p/a"), K("p/b")], page.Kvs.Select(kv => kv.Key));
        Assert.True(page.More);
        Assert.Equal(4, page.Count);
        Assert.Equal([K("p/a"), K("p/b"), K("p/c"), K("p/d")], all.Kvs.Select(kv => kv.Key));
        Assert.False(all.More);
        Assert.Empty(count.Kvs);
        Assert.Equal(4, count.Count);
        Assert.Equal([K("p/b"), K("p/c")], between.Kvs.Select(kv => kv.Key));
    }

    [Fact]
    public async Task Range_AtOldRevision_SeesTheValueOfThatTime()
    {
        var r1 = await PutAsync(K("h"), "one");
        var r2 = await PutAsync(K("h"), "two");
        var r3 = (await Store.TxnAsync(TxnRequest.Do(new DeleteOp(K("h"))))).Revision;

        Assert.Equal("one", Text((await GetAsync(K("h"), r1))!.Value));
        Assert.Equal("two", Text((await GetAsync(K("h"), r2))!.Value));
        Assert.Null(await GetAsync(K("h"), r3));
        Assert.Equal(r1, (await Store.RangeAsync(new RangeRequest(K("h")) { Revision = r1 })).Revision);
    }

    [Fact]
    public async Task Range_FutureRevision_Refused()
    {
        var current = (await Store.StatusAsync()).Revision;

        await Assert.ThrowsAsync<StoreFutureRevisionException>(() => Store.RangeAsync(new RangeRequest(K("x")) { Revision = current + 1000 }));
    }

    [Fact]
    public async Task DeleteThenRecreate_ResetsCreateRevisionAndVersion()
    {
        await PutAsync(K("r"), "1");
        await PutAsync(K("r"), "2");
        var deleted = await Store.TxnAsync(TxnRequest.Do(new DeleteOp(K("r"), PrevKv: true)));
        var recreated = await PutAsync(K("r"), "3");

        var kv = (await GetAsync(K("r")))!;

        Assert.Equal(2, Assert.IsType<DeleteResult>(Assert.Single(deleted.Results)).PrevKvs.Single().Version);
        Assert.Equal(recreated, kv.CreateRevision);
        Assert.Equal(1, kv.Version);
    }

    [Fact]
    public async Task DeleteRange_DeletesEveryKeyInRangeAtOneRevision()
    {
        await PutAsync(K("d/1"), "1");
        await PutAsync(K("d/2"), "2");
        await PutAsync(K("e"), "keep");

        var result = await Store.TxnAsync(TxnRequest.Do(new DeleteOp(K("d/"), KeyRange.PrefixEnd(K("d/")), PrevKv: true)));

        var deleted = Assert.IsType<DeleteResult>(Assert.Single(result.Results));
        Assert.Equal(2, deleted.Deleted);
        Assert.Empty((await Store.RangeAsync(RangeRequest.Prefix(K("d/")))).Kvs);
        Assert.NotNull(await GetAsync(K("e")));
    }

    [Fact]
    public async Task Watch_FromPastRevision_DeliversEveryEventOnceInOrderThenLiveOnes()
    {
        var first = await PutAsync(K("w/a"), "1");
        await PutAsync(K("w/a"), "2");
        await Store.TxnAsync(TxnRequest.Do(new DeleteOp(K("w/a"))));
        await PutAsync(K("outside"), "x");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var received = new List<WatchEvent>();
        var watch = Store.WatchAsync(WatchRequest.Prefix(K("w/"), first, prevKv: true), cts.Token).GetAsyncEnumerator(cts.Token);
        while (received.Count < 3)
        {
            Assert.True(await watch.MoveNextAsync());
            received.AddRange(watch.Current);
        }

        var live = PutAsync(K("w/b"), "live");
        while (received.Count < 4)
        {
            Assert.True(await watch.MoveNextAsync());
            received.AddRange(watch.Current);
        }

        await watch.DisposeAsync();
        var liveRev = await live;
        Assert.Equal([WatchEventType.Put, WatchEventType.Put, WatchEventType.Delete, WatchEventType.Put], received.Select(e => e.Type));
        Assert.Equal([first, first + 1, first + 2, liveRev], received.Select(e => e.Kv.ModRevision));
        Assert.Equal("1", Text(received[1].PrevKv!.Value));
        Assert.Equal("2", Text(received[2].PrevKv!.Value));
        Assert.Equal(K("w/a"), received[2].Kv.Key);
        Assert.Equal(K("w/b"), received[3].Kv.Key);
    }

    [Fact]
    public async Task Watch_OneTransaction_ArrivesAsOneBatch()
    {
        var start = (await Store.StatusAsync()).Revision + 1;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = Store.WatchAsync(WatchRequest.Prefix(K("t/"), start), cts.Token).GetAsyncEnumerator(cts.Token);

        var rev = (await Store.TxnAsync(TxnRequest.Do(new PutOp(K("t/1"), Bytes("a")), new PutOp(K("t/2"), Bytes("b"))))).Revision;

        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(2, watch.Current.Count);
        Assert.All(watch.Current, e => Assert.Equal(rev, e.Kv.ModRevision));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_ReportsCompacted()
    {
        var r1 = await PutAsync(K("c/a"), "1");
        await PutAsync(K("c/a"), "2");
        var r3 = await PutAsync(K("c/a"), "3");
        await Store.CompactAsync(r3);

        var e = await Assert.ThrowsAsync<StoreCompactedException>(async () =>
        {
            await foreach (var _ in Store.WatchAsync(WatchRequest.Prefix(K("c/"), r1)))
            {
            }
        });
        Assert.True(e.CompactRevision >= r3);
        await Assert.ThrowsAsync<StoreCompactedException>(() => Store.RangeAsync(new RangeRequest(K("c/a")) { Revision = r1 }));
        Assert.Equal("3", Text((await GetAsync(K("c/a")))!.Value));
        Assert.Equal("3", Text((await GetAsync(K("c/a"), r3))!.Value));
    }

    [Fact]
    public async Task Watch_ResumedAfterRestart_DeliversTheRestExactlyOnce()
    {
        var revs = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            revs.Add(await PutAsync(K("rs/k"), $"v{i}"));
        }

        _store = await ReopenStoreAsync(Store);
        revs.Add(await PutAsync(K("rs/k"), "after"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var received = new List<long>();
        await foreach (var batch in Store.WatchAsync(WatchRequest.Prefix(K("rs/"), revs[2]), cts.Token))
        {
            received.AddRange(batch.Select(e => e.Kv.ModRevision));
            if (received.Count >= 4)
            {
                break;
            }
        }

        Assert.Equal(revs.Skip(2), received);
    }

    [Fact]
    public async Task Lease_Expiry_DeletesAttachedKeys()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await PutAsync(K("l/leased"), "v", lease.Id);
        await PutAsync(K("l/plain"), "v");
        Assert.Equal(lease.Id, (await GetAsync(K("l/leased")))!.Lease);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (await GetAsync(K("l/leased")) is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Null(await GetAsync(K("l/leased")));
        Assert.NotNull(await GetAsync(K("l/plain")));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease.Id));
    }

    [Fact]
    public async Task Lease_KeepAlive_KeepsKeysPastTheTtl()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await PutAsync(K("ka"), "v", lease.Id);

        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(500);
            Assert.True((await Store.KeepAliveAsync(lease.Id)) > TimeSpan.Zero);
        }

        Assert.NotNull(await GetAsync(K("ka")));
        await Store.RevokeLeaseAsync(lease.Id);
    }

    [Fact]
    public async Task Lease_Revoke_DeletesKeysAtOnce()
    {
        var lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(60));
        await PutAsync(K("rv/1"), "v", lease.Id);
        await PutAsync(K("rv/2"), "v", lease.Id);

        await Store.RevokeLeaseAsync(lease.Id);

        Assert.Empty((await Store.RangeAsync(RangeRequest.Prefix(K("rv/")))).Kvs);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.KeepAliveAsync(lease.Id));
    }

    [Fact]
    public async Task Put_WithUnknownLease_Refused()
    {
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => PutAsync(K("nolease"), "v", 0x7777_1234));
        Assert.Null(await GetAsync(K("nolease")));
    }

    [Fact]
    public async Task ConcurrentWriters_EveryWriteGetsItsOwnRevision()
    {
        var tasks = Enumerable.Range(0, 64).Select(i => PutAsync(K($"cc/{i}"), $"{i}")).ToList();

        var revisions = await Task.WhenAll(tasks);

        Assert.Equal(64, revisions.Distinct().Count());
        Assert.Equal(64, (await Store.RangeAsync(RangeRequest.Prefix(K("cc/")) with { CountOnly = true })).Count);
    }

    [Fact]
    public async Task Status_ReportsCurrentRevisionAndEngine()
    {
        var rev = await PutAsync(K("s"), "v");

        var status = await Store.StatusAsync();

        Assert.True(status.Revision >= rev);
        Assert.False(string.IsNullOrEmpty(status.Engine));
        Assert.True(status.Keys >= 1);
    }
}
