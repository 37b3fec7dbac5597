using System.Text;
using Edge.ApiServer.Encryption;
using Edge.Server.Encryption;
using Edge.Store;
using Edge.Store.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Server.Tests.Encryption;

/// <summary>The server's start-up, status and rotation over a real embedded store in a temp data dir.</summary>
public sealed class SecretsEncryptionTests : IAsyncLifetime
{
    private readonly ServerPaths _paths = new(Directory.CreateTempSubdirectory("edge-secrets-").FullName);
    private EmbeddedStore _engine = null!;

    public Task InitializeAsync()
    {
        _engine = EmbeddedStore.Open(new EmbeddedStoreOptions(_paths.StoreDir));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        Directory.Delete(_paths.DataDir, recursive: true);
    }

    private static byte[] Json(string name) => Encoding.UTF8.GetBytes($"{{\"kind\":\"Secret\",\"metadata\":{{\"name\":\"{name}\"}}}}");

    private Task<SecretsEncryption> StartAsync(bool enabled) =>
        SecretsEncryption.StartAsync(_engine, _paths, enabled, NullLogger.Instance, TimeProvider.System, default);

    [Fact]
    public async Task Start_Enabled_OnExistingCluster_CreatesKeyEncryptsWhatIsThereAndDropsHistory()
    {
        await _engine.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/a", Json("a"))));
        await _engine.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/b", Json("b"))));

        var encryption = await StartAsync(enabled: true);
        var status = await encryption.StatusAsync(default);
        var engineStatus = await _engine.StatusAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_paths.EncryptionConfig));
        Assert.True(status.Enabled);
        Assert.Equal(2, status.Encrypted);
        Assert.Equal(0, status.Plaintext);
        Assert.Equal(status.ActiveKey, Assert.Single(status.Keys).Name);
        Assert.Equal(engineStatus.Revision, engineStatus.CompactRevision);
        await Assert.ThrowsAsync<StoreCompactedException>(() => _engine.RangeAsync(new RangeRequest("/registry/secrets/ns/a") { Revision = 1 }));
        Assert.Equal(Json("a"), (await encryption.Store.RangeAsync(new RangeRequest("/registry/secrets/ns/a"))).Kvs[0].Value);
        Assert.Contains("Secrets: 2 encrypted, 0 plaintext", status.Render());
    }

    [Fact]
    public async Task RotateKeys_Twice_KeepsThePreviousKeyDropsOlderAndEverySecretReads()
    {
        var encryption = await StartAsync(enabled: true);
        var first = encryption.Store.Keys.WriteKey!.Name;
        await encryption.Store.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/a", Json("a"))));

        var afterFirst = await encryption.RotateKeysAsync(default);
        var afterSecond = await encryption.RotateKeysAsync(default);

        Assert.NotEqual(first, afterFirst.ActiveKey);
        Assert.Equal([afterFirst.ActiveKey!, first], afterFirst.Keys.Select(k => k.Name));
        Assert.Equal([afterSecond.ActiveKey!, afterFirst.ActiveKey!], afterSecond.Keys.Select(k => k.Name));
        Assert.Equal(1, afterSecond.Keys[0].Secrets);
        Assert.Equal([afterSecond.ActiveKey!, afterFirst.ActiveKey!], EncryptionConfigFile.Load(_paths.EncryptionConfig)!.Select(k => k.Name));

        // A restart reads the config back and opens everything.
        var restarted = await StartAsync(enabled: true);
        Assert.Equal(Json("a"), (await restarted.Store.RangeAsync(new RangeRequest("/registry/secrets/ns/a"))).Kvs[0].Value);
    }

    [Fact]
    public async Task Start_DisabledWithConfig_ReadsEncryptedWritesPlaintextAndRefusesRotation()
    {
        var on = await StartAsync(enabled: true);
        await on.Store.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/a", Json("a"))));

        var off = await StartAsync(enabled: false);
        await off.Store.TxnAsync(TxnRequest.Do(new PutOp("/registry/secrets/ns/b", Json("b"))));
        var status = await off.StatusAsync(default);

        Assert.Equal(Json("a"), (await off.Store.RangeAsync(new RangeRequest("/registry/secrets/ns/a"))).Kvs[0].Value);
        Assert.False(status.Enabled);
        Assert.Null(status.ActiveKey);
        Assert.Equal((1, 1), (status.Encrypted, status.Plaintext));
        Assert.Contains("New Secrets are stored in plaintext", status.Render());
        await Assert.ThrowsAsync<InvalidOperationException>(() => off.RotateKeysAsync(default));
    }

    [Fact]
    public async Task Start_DisabledWithoutConfig_WritesNoConfig()
    {
        var off = await StartAsync(enabled: false);

        Assert.False(File.Exists(_paths.EncryptionConfig));
        Assert.Equal("Encryption: disabled", (await off.StatusAsync(default)).Render().Split('\n')[0]);
    }

    [Fact]
    public void Load_DamagedConfig_IsAStartupError()
    {
        Directory.CreateDirectory(_paths.CredDir);
        File.WriteAllText(_paths.EncryptionConfig, """{"keys":[{"name":"a:b","secret":"AAAA"}]}""");

        var e = Assert.Throws<StartupException>(() => EncryptionConfigFile.Load(_paths.EncryptionConfig));

        Assert.Contains("is not usable", e.Message);
    }
}
