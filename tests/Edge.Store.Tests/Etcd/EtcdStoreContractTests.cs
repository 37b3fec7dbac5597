using Edge.Store.Etcd;
using Edge.Store.Tests.Contract;

namespace Edge.Store.Tests.Etcd;

/// <summary>
/// The store contract against a real etcd: one etcd for the class, a fresh client per test, and
/// the base class's unique key prefix to keep the tests apart.
/// </summary>
public sealed class EtcdStoreContractTests(EtcdFixture etcd) : StoreContractTests, IClassFixture<EtcdFixture>
{
    protected override Task<IStore> CreateStoreAsync() =>
        Task.FromResult<IStore>(new EtcdStore(new EtcdStoreOptions { Endpoints = [etcd.Server.Endpoint] }));

    /// <summary>etcd keeps running; what restarts is our side: the client and its connections.</summary>
    protected override async Task<IStore> ReopenStoreAsync(IStore store)
    {
        await store.DisposeAsync();
        return await CreateStoreAsync();
    }
}
