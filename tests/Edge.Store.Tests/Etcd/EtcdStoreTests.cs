using System.Text;
using Edge.Store.Etcd;

namespace Edge.Store.Tests.Etcd;

/// <summary>What the etcd engine adds beyond the contract: limits checked here, revision errors with their numbers.</summary>
public sealed class EtcdStoreTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>, IAsyncLifetime
{
    private readonly string _prefix = $"/etcd/{Guid.NewGuid():N}/";
    private EtcdStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new EtcdStore(new EtcdStoreOptions { Endpoints = [etcd.Server.Endpoint] });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Status_AfterCompact_ReportsTheCompactRevision()
    {
        var revisions = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            revisions.Add(await PutAsync("c", $"{i}"));
        }

        await _store.CompactAsync(revisions[2]);
        var first = await _store.StatusAsync();
        await _store.CompactAsync(revisions[4]);
        var status = await _store.StatusAsync();

        Assert.Equal(revisions[2], first.CompactRevision);
        Assert.Equal(EtcdStore.EngineName, status.Engine);
        Assert.Equal(revisions[4], status.CompactRevision);
        Assert.Equal(revisions[^1], status.Revision);
        Assert.True(status.DbSizeBytes > 0);
    }

    [Fact]
    public async Task Range_BelowCompactRevision_ThrowsWithTheCompactRevision()
    {
        var first = await PutAsync("old", "1");
        var second = await PutAsync("old", "2");
        await _store.CompactAsync(second);

        var e = await Assert.ThrowsAsync<StoreCompactedException>(() => _store.RangeAsync(new RangeRequest(_prefix + "old") { Revision = first }));

        Assert.Equal(second, e.CompactRevision);
        await Assert.ThrowsAsync<StoreCompactedException>(() => _store.CompactAsync(first));
    }

    [Fact]
    public async Task Compact_FutureRevision_ThrowsFutureRevision()
    {
        var current = (await _store.StatusAsync()).Revision;

        var e = await Assert.ThrowsAsync<StoreFutureRevisionException>(() => _store.CompactAsync(current + 100));

        Assert.Contains($"{current + 100}", e.Message);
    }

    [Fact]
    public async Task Range_AllFrom_ReadsEveryKeyFromTheStartKey()
    {
        await PutAsync("z/1", "a");
        await PutAsync("z/2", "b");

        var result = await _store.RangeAsync(new RangeRequest(_prefix + "z/2") { RangeEnd = RangeRequest.AllFrom });

        Assert.Contains(_prefix + "z/2", result.Kvs.Select(kv => kv.Key));
        Assert.DoesNotContain(_prefix + "z/1", result.Kvs.Select(kv => kv.Key));
    }

    [Fact]
    public async Task Status_Keys_CountsEveryKeyInEtcd()
    {
        var before = (await _store.StatusAsync()).Keys;
        await PutAsync("n/1", "1");
        await PutAsync("n/2", "2");

        Assert.Equal(before + 2, (await _store.StatusAsync()).Keys);
    }

    [Fact]
    public async Task Txn_TooManyOperations_RefusedBeforeSending()
    {
        var ops = Enumerable.Range(0, StoreLimits.MaxTxnOps + 1).Select(i => (TxnOp)new PutOp($"{_prefix}many/{i}", [1])).ToArray();

        var e = await Assert.ThrowsAsync<StoreRequestException>(() => _store.TxnAsync(TxnRequest.Do(ops)));

        Assert.Contains($"{StoreLimits.MaxTxnOps}", e.Message);
    }

    [Fact]
    public async Task Txn_OversizedValue_MessageNamesKeyAndLimit()
    {
        var e = await Assert.ThrowsAsync<StoreRequestException>(() =>
            _store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + "big", new byte[StoreLimits.MaxValueBytes + 1]))));

        Assert.Equal($"value of {_prefix}big is {StoreLimits.MaxValueBytes + 1} bytes; the limit is {StoreLimits.MaxValueBytes}", e.Message);
    }

    [Fact]
    public async Task Txn_DuplicateKey_RefusedByEtcdAsRequestError()
    {
        await Assert.ThrowsAsync<StoreRequestException>(() => _store.TxnAsync(TxnRequest.Do(
            new PutOp(_prefix + "dup", [1]),
            new PutOp(_prefix + "dup", [2]))));
    }

    [Fact]
    public async Task Txn_RangeAfterPut_SeesThePutAtTheTxnRevision()
    {
        var result = await _store.TxnAsync(TxnRequest.Do(
            new PutOp(_prefix + "t", Encoding.UTF8.GetBytes("in-txn")),
            new RangeOp(new RangeRequest(_prefix + "t"))));

        var range = Assert.IsType<RangeOpResult>(result.Results[1]).Range;
        Assert.Equal("in-txn", Encoding.UTF8.GetString(Assert.Single(range.Kvs).Value));
        Assert.Equal(result.Revision, range.Revision);
    }

    [Fact]
    public async Task RevokeLease_Unknown_ThrowsLeaseNotFound()
    {
        var e = await Assert.ThrowsAsync<LeaseNotFoundException>(() => _store.RevokeLeaseAsync(0x1234_5678));

        Assert.Equal(0x1234_5678, e.LeaseId);
    }

    [Fact]
    public async Task Watch_Canceled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var watch = _store.WatchAsync(WatchRequest.Prefix(_prefix), cts.Token).GetAsyncEnumerator(cts.Token);
        var moved = watch.MoveNextAsync().AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => moved);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed()
    {
        await _store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _store.StatusAsync());
    }

    private async Task<long> PutAsync(string name, string value) =>
        (await _store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + name, Encoding.UTF8.GetBytes(value))))).Revision;
}
