using Edge.Store;

namespace Edge.ApiServer.Encryption;

/// <summary>How many Secrets are stored under each key name; <see cref="Plaintext"/> counts those not encrypted.</summary>
public sealed record SecretCounts(IReadOnlyDictionary<string, int> ByKey, int Plaintext)
{
    public int Encrypted => ByKey.Values.Sum();
}

/// <summary>What a re-encryption pass did: Secrets re-written, and those it could not open (with why).</summary>
public sealed record ReencryptionResult(int Rewritten, IReadOnlyList<string> Failures);

/// <summary>
/// Passes over every stored Secret: counting them by the key they are sealed with, and
/// re-writing those not sealed with the active key (plaintext ones included), which is how
/// turning encryption on and rotating keys reach what is already stored.
/// </summary>
public static class SecretsAtRest
{
    private const int PageSize = 256;
    private const int AttemptsPerSecret = 5;

    public static async Task<SecretCounts> CountAsync(EncryptingStore store, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        var plaintext = 0;
        await foreach (var kv in StoredSecretsAsync(store.Inner, cancellationToken))
        {
            if (KeyNameOrNull(kv) is { } name)
            {
                byKey[name] = byKey.GetValueOrDefault(name) + 1;
            }
            else
            {
                plaintext++;
            }
        }

        return new SecretCounts(byKey, plaintext);
    }

    /// <summary>
    /// Re-writes every Secret not sealed with the ring's write key, each in a transaction guarded
    /// by its mod revision (a concurrent update wins and is re-read). Does nothing while writes
    /// are plaintext. A Secret that cannot be opened is left as it is and reported.
    /// </summary>
    public static async Task<ReencryptionResult> ReencryptAsync(EncryptingStore store, CancellationToken cancellationToken)
    {
        var rewritten = 0;
        var failures = new List<string>();
        if (store.Keys.WriteKey is null)
        {
            return new ReencryptionResult(0, failures);
        }

        await foreach (var found in StoredSecretsAsync(store.Inner, cancellationToken))
        {
            var kv = found;
            for (var attempt = 1; ; attempt++)
            {
                var active = store.Keys.WriteKey?.Name;
                if (active is null || KeyNameOrNull(kv) == active)
                {
                    break;
                }

                try
                {
                    var plaintext = SecretEnvelope.Open(store.Keys, kv.Key, kv.Value);
                    var txn = new TxnRequest([Compare.ModRevisionIs(kv.Key, kv.ModRevision)], [new PutOp(kv.Key, plaintext, kv.Lease)]);
                    if ((await store.TxnAsync(txn, cancellationToken)).Succeeded)
                    {
                        rewritten++;
                        break;
                    }
                }
                catch (SecretDecryptionException e)
                {
                    failures.Add(e.Message);
                    break;
                }

                // Someone wrote the Secret meanwhile (or deleted it): look at what is there now.
                var current = await store.Inner.RangeAsync(new RangeRequest(kv.Key), cancellationToken);
                if (current.Kvs.Count == 0)
                {
                    break;
                }

                if (attempt == AttemptsPerSecret)
                {
                    failures.Add($"{kv.Key} kept changing; it was not re-encrypted");
                    break;
                }

                kv = current.Kvs[0];
            }
        }

        return new ReencryptionResult(rewritten, failures);
    }

    private static string? KeyNameOrNull(KeyValue kv)
    {
        try
        {
            return SecretEnvelope.KeyNameOf(kv.Key, kv.Value);
        }
        catch (SecretDecryptionException)
        {
            return "(damaged)";
        }
    }

    /// <summary>Every stored Secret as the engine holds it, page by page in key order.</summary>
    private static async IAsyncEnumerable<KeyValue> StoredSecretsAsync(IStore engine, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var end = KeyRange.PrefixEnd(EncryptingStore.SecretsPrefix);
        var from = EncryptingStore.SecretsPrefix;
        while (true)
        {
            var page = await engine.RangeAsync(new RangeRequest(from) { RangeEnd = end, Limit = PageSize, WithoutCount = true }, cancellationToken);
            foreach (var kv in page.Kvs)
            {
                yield return kv;
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                yield break;
            }

            from = page.Kvs[^1].Key + "\0";
        }
    }
}
