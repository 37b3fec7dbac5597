using System.Text;
using Edge.ApiServer.Encryption;
using Edge.Store;
using Edge.Store.Embedded;

namespace Edge.ApiServer.Tests.Encryption;

/// <summary>The encrypting decorator over a real embedded engine in a temp dir.</summary>
public sealed class EncryptingStoreTests : IAsyncLifetime
{
    private const string Secret = "/registry/secrets/ns/db-password";
    private const string ConfigMap = "/registry/configmaps/ns/settings";
    private static readonly byte[] Value = Encoding.UTF8.GetBytes("""{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}""");

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-encryption-").FullName;
    private readonly EncryptionKey _key = EncryptionKey.Generate(DateTimeOffset.UnixEpoch);
    private EmbeddedStore _engine = null!;
    private EncryptingStore _store = null!;

    public Task InitializeAsync()
    {
        _engine = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        _store = new EncryptingStore(_engine, new SecretKeyRing([_key], encryptWrites: true));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Put_Secret_ReadsBackPlainButEngineHoldsOnlyCiphertext()
    {
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));

        var read = await _store.RangeAsync(new RangeRequest(Secret));
        var raw = await _engine.RangeAsync(new RangeRequest(Secret));

        Assert.Equal(Value, read.Kvs[0].Value);
        var stored = raw.Kvs[0].Value;
        var prefix = $"k8s:enc:aesgcm:v1:{_key.Name}:";
        Assert.Equal(prefix, Encoding.ASCII.GetString(stored, 0, prefix.Length));
        Assert.Equal(prefix.Length + 12 + Value.Length + 16, stored.Length);
        Assert.Equal(-1, stored.AsSpan().IndexOf("aHVudGVyMg"u8));
        Assert.Equal(-1, stored.AsSpan().IndexOf("Secret"u8));
    }

    [Fact]
    public async Task Put_OtherResource_StaysPlain()
    {
        await _store.TxnAsync(TxnRequest.Do(new PutOp(ConfigMap, Value)));

        Assert.Equal(Value, (await _engine.RangeAsync(new RangeRequest(ConfigMap))).Kvs[0].Value);
    }

    [Fact]
    public async Task CiphertextMovedToAnotherKey_FailsToDecryptWithClearError()
    {
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));
        var sealedValue = (await _engine.RangeAsync(new RangeRequest(Secret))).Kvs[0].Value;
        await _engine.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/other", sealedValue)));

        var e = await Assert.ThrowsAsync<SecretDecryptionException>(() => _store.RangeAsync(new RangeRequest("/registry/secrets/ns/other")));

        Assert.Equal("/registry/secrets/ns/other", e.StorageKey);
        Assert.Contains($"key '{_key.Name}' does not authenticate it", e.Message);
    }

    [Fact]
    public async Task UnknownKeyOrDamagedValue_ClearErrors()
    {
        var stranger = EncryptionKey.Generate(DateTimeOffset.UnixEpoch.AddDays(1));
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(Secret, SecretEnvelope.Seal(stranger, Secret, Value))));
        var unknown = await Assert.ThrowsAsync<SecretDecryptionException>(() => _store.RangeAsync(new RangeRequest(Secret)));
        Assert.Equal($"cannot decrypt {Secret}: it is encrypted with key '{stranger.Name}', which is not in the encryption config", unknown.Message);

        var damaged = SecretEnvelope.Seal(_key, Secret, Value);
        damaged[^20] ^= 1;
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(Secret, damaged)));
        var bad = await Assert.ThrowsAsync<SecretDecryptionException>(() => _store.RangeAsync(RangeRequest.Prefix("/registry/secrets/")));
        Assert.Contains("damaged", bad.Message);

        await _engine.TxnAsync(TxnRequest.Do(new PutOp(Secret, Encoding.ASCII.GetBytes("k8s:enc:aesgcm:v1:"))));
        Assert.IsAssignableFrom<StoreException>(await Assert.ThrowsAsync<SecretDecryptionException>(() => _store.RangeAsync(new RangeRequest(Secret))));
    }

    [Fact]
    public async Task LegacyPlaintextValue_ReadsAsItIs()
    {
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));

        Assert.Equal(Value, (await _store.RangeAsync(new RangeRequest(Secret))).Kvs[0].Value);
    }

    [Fact]
    public async Task EncryptionOff_WritesPlainButStillReadsEncrypted()
    {
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));
        var off = new EncryptingStore(_engine, new SecretKeyRing([_key], encryptWrites: false));

        await off.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/new", Value)));

        Assert.Equal(Value, (await off.RangeAsync(new RangeRequest(Secret))).Kvs[0].Value);
        Assert.Equal(Value, (await _engine.RangeAsync(new RangeRequest("/registry/secrets/ns/new"))).Kvs[0].Value);
    }

    [Fact]
    public async Task TxnResults_PrevValuesAndRangesAreDecrypted()
    {
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));
        var next = Encoding.UTF8.GetBytes("""{"kind":"Secret","data":{}}""");

        var result = await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, next, PrevKv: true), new RangeOp(new RangeRequest(Secret))));
        var deleted = await _store.TxnAsync(TxnRequest.Do(new DeleteOp(Secret, PrevKv: true)));

        Assert.Equal(Value, Assert.IsType<PutResult>(result.Results[0]).PrevKv!.Value);
        Assert.Equal(next, Assert.IsType<RangeOpResult>(result.Results[1]).Range.Kvs[0].Value);
        Assert.Equal(next, Assert.IsType<DeleteResult>(deleted.Results[0]).PrevKvs[0].Value);
    }

    [Fact]
    public async Task FailureBranch_IsEncryptedToo()
    {
        await _store.TxnAsync(new TxnRequest([Compare.ModRevisionIs(Secret, 42)], [], [new PutOp(Secret, Value)]));

        Assert.NotEqual(Value, (await _engine.RangeAsync(new RangeRequest(Secret))).Kvs[0].Value);
        Assert.Equal(Value, (await _store.RangeAsync(new RangeRequest(Secret))).Kvs[0].Value);
    }

    [Fact]
    public async Task CompareOnValueOfSecret_IsRefused()
    {
        var e = await Assert.ThrowsAsync<StoreRequestException>(() =>
            _store.TxnAsync(new TxnRequest([new Compare(Secret, CompareTarget.Value, CompareResult.Equal, Value: Value)], [])));

        Assert.Contains("encrypted at rest", e.Message);
        await _store.TxnAsync(new TxnRequest([new Compare(ConfigMap, CompareTarget.Value, CompareResult.Equal, Value: Value)], []));
    }

    [Fact]
    public async Task WatchEvents_AreDecryptedWithTheirPreviousValues()
    {
        var start = (await _store.StatusAsync()).Revision + 1;
        var next = Encoding.UTF8.GetBytes("""{"kind":"Secret","data":{"b":"Yg=="}}""");
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, Value)));
        await _store.TxnAsync(TxnRequest.Do(new PutOp(Secret, next)));
        await _store.TxnAsync(TxnRequest.Do(new DeleteOp(Secret)));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = new List<WatchEvent>();
        await foreach (var batch in _store.WatchAsync(WatchRequest.Prefix("/registry/", start, prevKv: true), timeout.Token))
        {
            events.AddRange(batch);
            if (events.Count >= 3)
            {
                break;
            }
        }

        Assert.Equal(Value, events[0].Kv.Value);
        Assert.Equal(next, events[1].Kv.Value);
        Assert.Equal(Value, events[1].PrevKv!.Value);
        Assert.Equal(WatchEventType.Delete, events[2].Type);
        Assert.Equal(next, events[2].PrevKv!.Value);
    }
}

/// <summary>The registry's reads and optimistic writes work unchanged over the decorator.</summary>
public sealed class EncryptedRegistryTests : IAsyncLifetime
{
    private static readonly Edge.Api.Resources.ResourceType Namespaces = Edge.Api.Resources.ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly Edge.Api.Resources.ResourceType Secrets = Edge.Api.Resources.ResourceCatalog.Find("", "v1", "secrets")!;

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-encryption-").FullName;
    private EmbeddedStore _engine = null!;
    private Edge.ApiServer.Registry.ObjectRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _engine = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        var store = new EncryptingStore(_engine, new SecretKeyRing([EncryptionKey.Generate(DateTimeOffset.UnixEpoch)], encryptWrites: true));
        _registry = new Edge.ApiServer.Registry.ObjectRegistry(store, new Edge.ApiServer.Admission.ResourceStrategies(Edge.ApiServer.Admission.ServiceNetwork.Default), TimeProvider.System);
        await _registry.CreateAsync(Namespaces, null, Obj("""{"metadata":{"name":"ns"}}"""), new Edge.ApiServer.Requests.WriteOptions(), default);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static System.Text.Json.Nodes.JsonObject Obj(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();

    [Fact]
    public async Task CreateUpdateGet_Secret_RoundTripsAndIsCiphertextInTheEngine()
    {
        var created = await _registry.CreateAsync(Secrets, "ns", Obj("""{"metadata":{"name":"s"},"stringData":{"token":"very-secret-marker"}}"""), new Edge.ApiServer.Requests.WriteOptions(), default);
        created["data"]!["token"] = Convert.ToBase64String("second-marker"u8);
        await _registry.UpdateAsync(Secrets, "ns", "s", null, created, new Edge.ApiServer.Requests.WriteOptions(), default);

        var read = await _registry.GetAsync(Secrets, "ns", "s", default);
        var raw = (await _engine.RangeAsync(RangeRequest.Prefix("/registry/secrets/"))).Kvs.Single().Value;

        Assert.Equal(Convert.ToBase64String("second-marker"u8), (string?)read["data"]!["token"]);
        Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Convert.ToBase64String("second-marker"u8))));
        Assert.Equal(-1, raw.AsSpan().IndexOf("\"ns\""u8));
    }
}
