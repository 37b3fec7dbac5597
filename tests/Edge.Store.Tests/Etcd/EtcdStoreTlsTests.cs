using System.Text;
using Edge.Store.Etcd;

namespace Edge.Store.Tests.Etcd;

/// <summary>EtcdStore against an etcd that serves TLS and requires client certificates.</summary>
public sealed class EtcdStoreTlsTests(TlsEtcdFixture etcd) : IClassFixture<TlsEtcdFixture>
{
    private readonly string _prefix = $"/tls/{Guid.NewGuid():N}/";

    private TestPki Pki => etcd.Server.Pki!;

    [Fact]
    public async Task Store_WithCaAndClientCertificate_ReadsWritesAndWatches()
    {
        await using var store = new EtcdStore(new EtcdStoreOptions
        {
            Endpoints = [etcd.Server.Endpoint],
            CaFile = Pki.CaCert,
            CertFile = Pki.ClientCert,
            KeyFile = Pki.ClientKey,
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var start = (await store.StatusAsync(cts.Token)).Revision + 1;
        var watch = store.WatchAsync(WatchRequest.Prefix(_prefix, start), cts.Token).GetAsyncEnumerator(cts.Token);
        var moved = watch.MoveNextAsync();

        var put = await store.TxnAsync(TxnRequest.Do(new PutOp(_prefix + "a", Encoding.UTF8.GetBytes("secure"))));
        var range = await store.RangeAsync(new RangeRequest(_prefix + "a"), cts.Token);

        Assert.Equal("secure", Encoding.UTF8.GetString(Assert.Single(range.Kvs).Value));
        Assert.True(await moved);
        Assert.Equal(put.Revision, Assert.Single(watch.Current).Kv.ModRevision);
        Assert.Equal(EtcdStore.EngineName, (await store.StatusAsync(cts.Token)).Engine);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Range_WithoutClientCertificate_ThrowsStoreException()
    {
        await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [etcd.Server.Endpoint], CaFile = Pki.CaCert });

        var e = await Assert.ThrowsAnyAsync<StoreException>(() => store.RangeAsync(new RangeRequest(_prefix + "a")));

        Assert.Contains(etcd.Server.Endpoint, e.Message);
        Assert.Contains("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Range_ServerCertificateFromAnotherCa_ThrowsStoreException()
    {
        var otherCa = Path.Combine(etcd.Server.Directory, $"other-ca-{Guid.NewGuid():N}.crt");
        TestPki.WriteUnrelatedCa(otherCa);
        await using var store = new EtcdStore(new EtcdStoreOptions
        {
            Endpoints = [etcd.Server.Endpoint],
            CaFile = otherCa,
            CertFile = Pki.ClientCert,
            KeyFile = Pki.ClientKey,
        });

        var e = await Assert.ThrowsAnyAsync<StoreException>(() => store.RangeAsync(new RangeRequest(_prefix + "a")));

        Assert.Contains(etcd.Server.Endpoint, e.Message);
        Assert.Contains("certificate", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Constructor_MissingCaFile_ThrowsStoreExceptionNamingIt()
    {
        var missing = Path.Combine(etcd.Server.Directory, "no-such-ca.crt");

        var e = Assert.Throws<StoreException>(() => new EtcdStore(new EtcdStoreOptions { Endpoints = [etcd.Server.Endpoint], CaFile = missing }));

        Assert.Contains(missing, e.Message);
    }
}
