using Edge.ApiServer.Encryption;
using Edge.Store;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Encryption;

/// <summary>
/// The server's side of encryption at rest: loads or creates the keys, wraps the store in an
/// <see cref="EncryptingStore"/>, brings what is stored in line with the active key at start
/// (turning encryption on for an existing cluster), and rotates keys on request.
/// </summary>
public sealed class SecretsEncryption
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly string _configPath;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<string> _problems = [];

    private SecretsEncryption(EncryptingStore store, bool enabled, string configPath, ILogger logger, TimeProvider time)
    {
        Store = store;
        Enabled = enabled;
        _configPath = configPath;
        _logger = logger;
        _time = time;
    }

    /// <summary>The store everything above the engine uses.</summary>
    public EncryptingStore Store { get; }

    /// <summary>Whether new values are encrypted (<c>--secrets-encryption</c>).</summary>
    public bool Enabled { get; }

    /// <summary>
    /// With encryption on: creates the config if there is none, re-encrypts every Secret not
    /// under the active key, and if it re-wrote any, compacts the store to now so the older
    /// copies leave the history (and, on the embedded engine, the WAL and snapshots with it).
    /// With it off, existing keys still open what they sealed.
    /// </summary>
    public static async Task<SecretsEncryption> StartAsync(IStore engine, ServerPaths paths, bool enabled, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var keys = EncryptionConfigFile.Load(paths.EncryptionConfig);
        if (enabled && keys is null)
        {
            keys = [EncryptionKey.Generate(time.GetUtcNow())];
            EncryptionConfigFile.Save(paths.EncryptionConfig, keys);
            EncryptionLog.KeyCreated(logger, keys[0].Name, paths.EncryptionConfig);
        }

        var encryption = new SecretsEncryption(new EncryptingStore(engine, new SecretKeyRing(keys ?? [], enabled)), enabled, paths.EncryptionConfig, logger, time);
        if (!enabled)
        {
            if (keys is not null)
            {
                EncryptionLog.WritesPlaintext(logger, paths.EncryptionConfig);
            }

            return encryption;
        }

        var rewritten = await encryption.ReencryptAsync(cancellationToken);
        if (rewritten > 0)
        {
            var status = await engine.StatusAsync(cancellationToken);
            await CompactAsync(engine, status.Revision, cancellationToken);
        }

        return encryption;
    }

    public async Task<SecretsEncryptionStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var counts = await SecretsAtRest.CountAsync(Store, cancellationToken);
        var ring = Store.Keys;
        var keys = ring.Keys.Select(k => new KeyUsage(k.Name, counts.ByKey.GetValueOrDefault(k.Name), k == ring.WriteKey, InConfig: true))
            .Concat(counts.ByKey.Where(c => ring.Find(c.Key) is null).Select(c => new KeyUsage(c.Key, c.Value, Active: false, InConfig: false)))
            .ToList();
        List<string> problems;
        lock (_problems)
        {
            problems = [.. _problems];
        }

        return new SecretsEncryptionStatus(Enabled, ring.WriteKey?.Name, keys, counts.Encrypted, counts.Plaintext, problems);
    }

    /// <summary>
    /// Puts a new key first (written to the config before any value is sealed with it),
    /// re-encrypts every Secret with it, compacts away the history from before the rotation, and
    /// drops keys older than the previous one that no Secret uses. The previous key stays (as
    /// k3s keeps it until its re-encryption is finished): values in the history since the last
    /// compaction, and watch events' previous values, are still sealed with it.
    /// </summary>
    public async Task<SecretsEncryptionStatus> RotateKeysAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            throw new InvalidOperationException("secrets encryption is disabled: start the server with --secrets-encryption to rotate keys");
        }

        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var before = await Store.StatusAsync(cancellationToken);
            var fresh = EncryptionKey.Generate(_time.GetUtcNow());
            List<EncryptionKey> keys = [fresh, .. Store.Keys.Keys];
            EncryptionConfigFile.Save(_configPath, keys);
            Store.Keys = new SecretKeyRing(keys, encryptWrites: true);
            EncryptionLog.Rotated(_logger, fresh.Name);

            await ReencryptAsync(cancellationToken);
            await CompactAsync(Store.Inner, before.Revision, cancellationToken);

            var counts = await SecretsAtRest.CountAsync(Store, cancellationToken);
            var kept = keys.Where((key, i) => i < 2 || counts.ByKey.ContainsKey(key.Name)).ToList();
            if (kept.Count < keys.Count)
            {
                EncryptionConfigFile.Save(_configPath, kept);
                Store.Keys = new SecretKeyRing(kept, encryptWrites: true);
                EncryptionLog.KeysDropped(_logger, string.Join(", ", keys.Except(kept).Select(k => k.Name)));
            }
        }
        finally
        {
            _oneAtATime.Release();
        }

        return await StatusAsync(cancellationToken);
    }

    private async Task<int> ReencryptAsync(CancellationToken cancellationToken)
    {
        var result = await SecretsAtRest.ReencryptAsync(Store, cancellationToken);
        lock (_problems)
        {
            _problems.Clear();
            _problems.AddRange(result.Failures);
        }

        foreach (var failure in result.Failures)
        {
            EncryptionLog.ReencryptionFailed(_logger, failure);
        }

        if (result.Rewritten > 0)
        {
            EncryptionLog.Reencrypted(_logger, result.Rewritten, Store.Keys.WriteKey!.Name);
        }

        return result.Rewritten;
    }

    private static async Task CompactAsync(IStore engine, long revision, CancellationToken cancellationToken)
    {
        var status = await engine.StatusAsync(cancellationToken);
        if (revision <= status.CompactRevision)
        {
            return;
        }

        try
        {
            await engine.CompactAsync(revision, cancellationToken);
        }
        catch (StoreCompactedException)
        {
            // The periodic compactor got there first.
        }
    }
}

internal static partial class EncryptionLog
{
    [LoggerMessage(40, LogLevel.Information, "secrets encryption: created key {Name} in {Path}")]
    public static partial void KeyCreated(ILogger logger, string name, string path);

    [LoggerMessage(41, LogLevel.Warning, "secrets encryption is off but {Path} exists: new Secrets are stored in plaintext, encrypted ones stay readable")]
    public static partial void WritesPlaintext(ILogger logger, string path);

    [LoggerMessage(42, LogLevel.Information, "secrets encryption: re-encrypted {Count} secrets with key {Name}")]
    public static partial void Reencrypted(ILogger logger, int count, string name);

    [LoggerMessage(43, LogLevel.Error, "secrets encryption: {Problem}")]
    public static partial void ReencryptionFailed(ILogger logger, string problem);

    [LoggerMessage(44, LogLevel.Information, "secrets encryption: rotated to key {Name}")]
    public static partial void Rotated(ILogger logger, string name);

    [LoggerMessage(45, LogLevel.Information, "secrets encryption: dropped unused keys {Names}")]
    public static partial void KeysDropped(ILogger logger, string names);
}
