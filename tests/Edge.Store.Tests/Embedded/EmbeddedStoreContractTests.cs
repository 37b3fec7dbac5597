using Edge.Store.Embedded;
using Edge.Store.Tests.Contract;

namespace Edge.Store.Tests.Embedded;

public sealed class EmbeddedStoreContractTests : StoreContractTests, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-store-").FullName;

    protected override Task<IStore> CreateStoreAsync() =>
        Task.FromResult<IStore>(EmbeddedStore.Open(new EmbeddedStoreOptions(Path.Combine(_dir, "store"))));

    protected override async Task<IStore> ReopenStoreAsync(IStore store)
    {
        await store.DisposeAsync();
        return await CreateStoreAsync();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
