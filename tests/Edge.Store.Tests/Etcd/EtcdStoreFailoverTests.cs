using System.Text;
using Edge.Store.Etcd;

namespace Edge.Store.Tests.Etcd;

/// <summary>Several endpoints where only some answer: calls go on to the next one.</summary>
public sealed class EtcdStoreFailoverTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private readonly string _prefix = $"/failover/{Guid.NewGuid():N}/";

    private static string ClosedEndpoint() => $"http://127.0.0.1:{EtcdServer.FreePort()}";

    [Fact]
    public async Task Txn_FirstEndpointClosed_WritesOnceThroughTheSecond()
    {
        await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [ClosedEndpoint(), etcd.Server.Endpoint] });

        var put = await store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + "k", Encoding.UTF8.GetBytes("v"))));
        var kv = Assert.Single((await store.RangeAsync(new RangeRequest(_prefix + "k"))).Kvs);

        Assert.True(put.Succeeded);
        Assert.Equal(1, kv.Version);
        Assert.Equal(put.Revision, kv.ModRevision);
    }

    [Fact]
    public async Task WatchAndLeases_FirstEndpointClosed_UseTheSecond()
    {
        await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [ClosedEndpoint(), etcd.Server.Endpoint] });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30), cts.Token);
        var start = (await store.StatusAsync(cts.Token)).Revision + 1;
        var watch = store.WatchAsync(WatchRequest.Prefix(_prefix, start), cts.Token).GetAsyncEnumerator(cts.Token);
        var moved = watch.MoveNextAsync();
        var put = await store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + "w", [1], lease.Id)), cts.Token);

        Assert.True(await moved);
        Assert.Equal(put.Revision, Assert.Single(watch.Current).Kv.ModRevision);
        Assert.True(await store.KeepAliveAsync(lease.Id, cts.Token) > TimeSpan.Zero);
        await store.RevokeLeaseAsync(lease.Id, cts.Token);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Watch_MemberDropsMidStream_ResumesOnTheNextWithoutLossOrRepeat()
    {
        var proxy = TcpProxy.Start(etcd.Server.Endpoint);
        await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [proxy.Endpoint, etcd.Server.Endpoint] });

        // Writes of a client that saw the member die may fail (they are not retried, in case they
        // were applied); this test is about the watch, so another client writes.
        await using var writer = new EtcdStore(new EtcdStoreOptions { Endpoints = [etcd.Server.Endpoint] });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var start = (await store.StatusAsync(cts.Token)).Revision + 1;
        var watch = store.WatchAsync(WatchRequest.Prefix(_prefix, start), cts.Token).GetAsyncEnumerator(cts.Token);
        var first = await PutAsync(writer, "a");
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(first, Assert.Single(watch.Current).Kv.ModRevision);

        await proxy.DisposeAsync();
        long[] later = [await PutAsync(writer, "b"), await PutAsync(writer, "c")];

        var received = new List<long>();
        while (received.Count < later.Length)
        {
            Assert.True(await watch.MoveNextAsync());
            received.AddRange(watch.Current.Select(e => e.Kv.ModRevision));
        }

        Assert.Equal(later, received);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Range_EveryEndpointClosed_ThrowsStoreExceptionNamingEach()
    {
        var first = ClosedEndpoint();
        var second = ClosedEndpoint();
        await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [first, second] });

        var e = await Assert.ThrowsAsync<StoreException>(() => store.RangeAsync(new RangeRequest("k")));

        Assert.Contains(first, e.Message);
        Assert.Contains(second, e.Message);
        Assert.Contains("Connection refused", e.Message);
    }

    private async Task<long> PutAsync(EtcdStore store, string name) =>
        (await store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + name, Encoding.UTF8.GetBytes(name))))).Revision;
}
