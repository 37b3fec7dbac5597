using System.Runtime.CompilerServices;
using Edge.Api.Resources;
using Edge.Store;

namespace Edge.ApiServer.Encryption;

/// <summary>
/// Encrypts Secrets at rest: every value put under <c>/registry/secrets/</c> is sealed (see
/// <see cref="SecretEnvelope"/>) before it reaches the engine, and every such value read back —
/// ranges, transaction results, watch events and their previous values — is opened again. Above
/// this store everything is plaintext; below it, on either engine, a Secret is only ciphertext.
/// </summary>
public sealed class EncryptingStore(IStore inner, SecretKeyRing keys) : IStore
{
    public static readonly string SecretsPrefix = ResourceCatalog.Find("", "v1", "secrets")!.StorePrefix;

    private SecretKeyRing _keys = keys;

    /// <summary>The engine underneath, which sees only ciphertext.</summary>
    public IStore Inner => inner;

    /// <summary>The keys in use; a rotation replaces the ring, and later reads and writes use the new one.</summary>
    public SecretKeyRing Keys
    {
        get => Volatile.Read(ref _keys);
        set => Volatile.Write(ref _keys, value);
    }

    public static bool IsSecret(string key) => key.StartsWith(SecretsPrefix, StringComparison.Ordinal);

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default) =>
        Open(await inner.RangeAsync(request, cancellationToken).ConfigureAwait(false), Keys);

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        foreach (var compare in request.Compares)
        {
            // Each seal has a fresh nonce, so a stored value never equals a sealed copy of the
            // value compared against: the compare would fail for the wrong reason.
            if (compare.Target == CompareTarget.Value && IsSecret(compare.Key))
            {
                throw new StoreRequestException($"cannot compare the value of {compare.Key}: it is encrypted at rest (compare its mod revision)");
            }
        }

        var ring = Keys;
        var sealedRequest = ring.WriteKey is null
            ? request
            : request with { Success = Seal(ring.WriteKey, request.Success), Failure = request.Failure is null ? null : Seal(ring.WriteKey, request.Failure) };
        var result = await inner.TxnAsync(sealedRequest, cancellationToken).ConfigureAwait(false);
        if (!result.Results.Any(HoldsValues))
        {
            return result;
        }

        return result with { Results = result.Results.Select(r => Open(r, ring)).ToList() };
    }

    public async IAsyncEnumerable<IReadOnlyList<WatchEvent>> WatchAsync(WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in inner.WatchAsync(request, cancellationToken).ConfigureAwait(false))
        {
            yield return batch.Any(e => IsSecret(e.Kv.Key)) ? batch.Select(Open).ToList() : batch;
        }
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);

    public Task<Lease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default) => inner.GrantLeaseAsync(ttl, cancellationToken);

    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) => inner.KeepAliveAsync(leaseId, cancellationToken);

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) => inner.RevokeLeaseAsync(leaseId, cancellationToken);

    public Task<StoreStatus> StatusAsync(CancellationToken cancellationToken = default) => inner.StatusAsync(cancellationToken);

    /// <summary>The inner store belongs to whoever opened it; this view holds nothing of its own.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static List<TxnOp> Seal(EncryptionKey key, IReadOnlyList<TxnOp> ops) =>
        ops.Select(op => op is PutOp put && IsSecret(put.Key) ? put with { Value = SecretEnvelope.Seal(key, put.Key, put.Value) } : op).ToList();

    private static bool HoldsValues(TxnOpResult result) => result switch
    {
        PutResult { PrevKv: not null } => true,
        DeleteResult { PrevKvs.Count: > 0 } => true,
        RangeOpResult { Range.Kvs.Count: > 0 } => true,
        _ => false,
    };

    private static TxnOpResult Open(TxnOpResult result, SecretKeyRing ring) => result switch
    {
        PutResult { PrevKv: { } prev } put => put with { PrevKv = Open(prev, ring) },
        DeleteResult delete => delete with { PrevKvs = delete.PrevKvs.Select(kv => Open(kv, ring)).ToList() },
        RangeOpResult range => range with { Range = Open(range.Range, ring) },
        _ => result,
    };

    private static RangeResult Open(RangeResult range, SecretKeyRing ring) =>
        range.Kvs.Any(kv => IsSecret(kv.Key)) ? range with { Kvs = range.Kvs.Select(kv => Open(kv, ring)).ToList() } : range;

    private WatchEvent Open(WatchEvent change)
    {
        var ring = Keys;
        return change with
        {
            Kv = Open(change.Kv, ring),
            PrevKv = change.PrevKv is { } prev ? Open(prev, ring) : null,
        };
    }

    private static KeyValue Open(KeyValue kv, SecretKeyRing ring) =>
        IsSecret(kv.Key) && kv.Value.Length > 0 ? kv with { Value = SecretEnvelope.Open(ring, kv.Key, kv.Value) } : kv;
}
