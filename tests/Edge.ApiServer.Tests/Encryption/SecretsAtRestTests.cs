using System.Text;
using Edge.ApiServer.Encryption;
using Edge.Store;
using Edge.Store.Embedded;

namespace Edge.ApiServer.Tests.Encryption;

/// <summary>Counting and re-encrypting what is already stored: turning encryption on, rotating keys.</summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-encryption-").FullName;
    private EmbeddedStore _engine = null!;

    public Task InitializeAsync()
    {
        _engine = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static byte[] SecretJson(int i) => Encoding.UTF8.GetBytes("""{"kind":"Secret","data":{"n":""" + $"\"{i}\"" + "}}");

    private static string KeyOf(int i) => $"/registry/secrets/ns{i % 3}/s{i}";

    [Fact]
    public async Task Reencrypt_ExistingPlaintext_EncryptsEverySecretAndKeepsOthers()
    {
        for (var i = 0; i < 600; i++)
        {
            await _engine.TxnAsync(TxnRequest.Do(new PutOp(KeyOf(i), SecretJson(i))));
        }

        await _engine.TxnAsync(TxnRequest.Do(new PutOp("/registry/configmaps/ns/c", SecretJson(0))));
        var key = EncryptionKey.Generate(DateTimeOffset.UnixEpoch);
        var store = new EncryptingStore(_engine, new SecretKeyRing([key], encryptWrites: true));
        Assert.Equal(600, (await SecretsAtRest.CountAsync(store, default)).Plaintext);

        var result = await SecretsAtRest.ReencryptAsync(store, default);

        Assert.Equal(600, result.Rewritten);
        Assert.Empty(result.Failures);
        var counts = await SecretsAtRest.CountAsync(store, default);
        Assert.Equal(0, counts.Plaintext);
        Assert.Equal(600, counts.ByKey[key.Name]);
        for (var i = 0; i < 600; i += 37)
        {
            Assert.Equal(SecretJson(i), (await store.RangeAsync(new RangeRequest(KeyOf(i)))).Kvs[0].Value);
        }

        Assert.Equal(SecretJson(0), (await _engine.RangeAsync(new RangeRequest("/registry/configmaps/ns/c"))).Kvs[0].Value);
        Assert.Equal(0, (await SecretsAtRest.ReencryptAsync(store, default)).Rewritten);
    }

    [Fact]
    public async Task Rotation_NewKeyFirst_EverySecretStaysReadableUnderTheNewKey()
    {
        var first = EncryptionKey.Generate(DateTimeOffset.UnixEpoch);
        var store = new EncryptingStore(_engine, new SecretKeyRing([first], encryptWrites: true));
        for (var i = 0; i < 20; i++)
        {
            await store.TxnAsync(TxnRequest.Do(new PutOp(KeyOf(i), SecretJson(i))));
        }

        var second = EncryptionKey.Generate(DateTimeOffset.UnixEpoch.AddDays(1));
        store.Keys = new SecretKeyRing([second, first], encryptWrites: true);
        var result = await SecretsAtRest.ReencryptAsync(store, default);

        Assert.Equal(20, result.Rewritten);
        var counts = await SecretsAtRest.CountAsync(store, default);
        Assert.Equal(20, counts.ByKey[second.Name]);
        Assert.False(counts.ByKey.ContainsKey(first.Name));

        // Only the new key is needed now.
        var onlySecond = new EncryptingStore(_engine, new SecretKeyRing([second], encryptWrites: true));
        var all = await onlySecond.RangeAsync(RangeRequest.Prefix("/registry/secrets/"));
        Assert.Equal(20, all.Kvs.Count);
        Assert.All(all.Kvs, kv => Assert.StartsWith("""{"kind":"Secret""", Encoding.UTF8.GetString(kv.Value)));
    }

    [Fact]
    public async Task Reencrypt_UnreadableSecret_IsReportedAndLeftAlone()
    {
        var lost = EncryptionKey.Generate(DateTimeOffset.UnixEpoch);
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(KeyOf(1), SecretEnvelope.Seal(lost, KeyOf(1), SecretJson(1)))));
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(KeyOf(2), SecretJson(2))));
        var store = new EncryptingStore(_engine, new SecretKeyRing([EncryptionKey.Generate(DateTimeOffset.UnixEpoch)], encryptWrites: true));

        var result = await SecretsAtRest.ReencryptAsync(store, default);

        Assert.Equal(1, result.Rewritten);
        Assert.Contains($"cannot decrypt {KeyOf(1)}: it is encrypted with key '{lost.Name}'", Assert.Single(result.Failures));
        Assert.Equal(1, (await SecretsAtRest.CountAsync(store, default)).ByKey[lost.Name]);
    }

    [Fact]
    public async Task Reencrypt_WithPlaintextWrites_DoesNothing()
    {
        await _engine.TxnAsync(TxnRequest.Do(new PutOp(KeyOf(1), SecretJson(1))));
        var store = new EncryptingStore(_engine, SecretKeyRing.Empty);

        Assert.Equal(0, (await SecretsAtRest.ReencryptAsync(store, default)).Rewritten);
        Assert.Equal(1, (await SecretsAtRest.CountAsync(store, default)).Plaintext);
    }
}
