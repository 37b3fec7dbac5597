using Grpc.Core;

namespace Edge.Store.Etcd;

/// <summary>
/// <see cref="IStore"/> on an external etcd cluster (v3.4 or later) over its v3 gRPC API. etcd
/// already is the model of the interface, so each call is one RPC; what is added here is
/// failover between members, our size limits, and etcd's errors as <see cref="StoreException"/>s.
/// </summary>
public sealed partial class EtcdStore : IStore
{
    /// <summary><see cref="StoreStatus.Engine"/> of this engine.</summary>
    public const string EngineName = "etcd";

    // "\0" to "\0": every key (etcd's clientv3 WithFromKey on the empty key).
    private static readonly Rpc.RangeRequest AllKeys = new() { Key = EtcdWire.Bytes("\0"), RangeEnd = EtcdWire.Bytes(RangeRequest.AllFrom), CountOnly = true };

    private readonly EtcdConnection _connection;
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;
    private long _compactRevisionHint;

    /// <summary>Checks the options and loads the certificates; connects on the first call.</summary>
    /// <exception cref="StoreException">Invalid options or unreadable certificate files.</exception>
    public EtcdStore(EtcdStoreOptions options)
    {
        _connection = new EtcdConnection(options);
    }

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        RequestChecks.CheckKey(request.Key);
        var message = EtcdWire.ToRange(request);
        try
        {
            var response = await CallAsync((e, ct) => e.Kv.RangeAsync(message, cancellationToken: ct).ResponseAsync, idempotent: true, cancellationToken);
            return EtcdWire.FromRange(response, request.Revision);
        }
        catch (RpcException e)
        {
            throw await TranslateAsync(e, "range", request.Revision, cancellationToken);
        }
    }

    public async Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        RequestChecks.CheckTxn(request);
        var message = EtcdWire.ToTxn(request);
        var ops = request.Success.Concat(request.Failure ?? []).ToList();
        try
        {
            var response = await CallAsync((e, ct) => e.Kv.TxnAsync(message, cancellationToken: ct).ResponseAsync, idempotent: ops.All(op => op is RangeOp), cancellationToken);
            return EtcdWire.FromTxn(response, request);
        }
        catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
        {
            // etcd does not say which lease; the first one the transaction uses is the best guess.
            throw new LeaseNotFoundException(ops.OfType<PutOp>().Select(put => put.Lease).FirstOrDefault(lease => lease != 0));
        }
        catch (RpcException e)
        {
            var revision = ops.OfType<RangeOp>().Select(range => range.Request.Revision).DefaultIfEmpty().Max();
            throw await TranslateAsync(e, "transaction", revision, cancellationToken);
        }
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        // physical: return only once etcd's backend has dropped the old revisions, not when it has scheduled that.
        var message = new Rpc.CompactionRequest { Revision = revision, Physical = true };
        try
        {
            await CallAsync((e, ct) => e.Kv.CompactAsync(message, cancellationToken: ct).ResponseAsync, idempotent: false, cancellationToken);
        }
        catch (RpcException e)
        {
            throw await TranslateAsync(e, "compaction", revision, cancellationToken);
        }
    }

    public async Task<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await CallAsync((e, ct) => e.Maintenance.StatusAsync(new Rpc.StatusRequest(), cancellationToken: ct).ResponseAsync, idempotent: true, cancellationToken);

            // The revision from the count's header rather than from Status: a range is linearizable,
            // Status answers from the one member asked.
            var keys = await CallAsync((e, ct) => e.Kv.RangeAsync(AllKeys, cancellationToken: ct).ResponseAsync, idempotent: true, cancellationToken);
            var compacted = await CompactRevisionAsync(keys.Header.Revision, cancellationToken);
            return new StoreStatus(EngineName, keys.Header.Revision, compacted, status.DbSize, keys.Count);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "status request");
        }
    }

    public ValueTask DisposeAsync()
    {
        // The token source stays undisposed: running watches link to it, and it holds no timer.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Ends running watches before their channels go.
            _disposing.Cancel();
            _connection.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Task<T> CallAsync<T>(Func<EtcdEndpoint, CancellationToken, Task<T>> call, bool idempotent, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _connection.CallAsync(call, idempotent, cancellationToken);
    }

    /// <summary>
    /// etcd's error as ours. The revision errors carry numbers etcd's message lacks, so they cost
    /// a look at the store; they are rare, and callers act on the numbers (relist from there).
    /// </summary>
    private async Task<StoreException> TranslateAsync(RpcException e, string operation, long revision, CancellationToken cancellationToken)
    {
        try
        {
            if (EtcdErrors.IsCompacted(e))
            {
                return new StoreCompactedException(await CompactRevisionAsync(await CurrentRevisionAsync(cancellationToken), cancellationToken));
            }

            if (EtcdErrors.IsFutureRevision(e))
            {
                return new StoreFutureRevisionException(revision, await CurrentRevisionAsync(cancellationToken));
            }
        }
        catch (RpcException probe)
        {
            return EtcdErrors.ToStoreException(probe, operation);
        }

        return EtcdErrors.ToStoreException(e, operation);
    }

    private async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken) =>
        (await CallAsync((e, ct) => e.Kv.RangeAsync(AllKeys, cancellationToken: ct).ResponseAsync, idempotent: true, cancellationToken)).Header.Revision;

    /// <summary>
    /// etcd 3.4 reports its compacted revision only to a watch that starts before it. But a read at
    /// revision r fails with "compacted" exactly when r is below it, so a binary search of cheap,
    /// member-local (serializable) count-only reads of one key finds it. The last answer is tried
    /// first: compactions are rare, so that usually settles it in three reads.
    /// </summary>
    private async Task<long> CompactRevisionAsync(long current, CancellationToken cancellationToken)
    {
        if (current <= 1 || await ReadableAtAsync(1, cancellationToken))
        {
            return 0;
        }

        // Invariant: low is compacted, high is readable.
        long low = 1, high = current;
        var hint = Volatile.Read(ref _compactRevisionHint);
        if (hint > low && hint < high)
        {
            if (!await ReadableAtAsync(hint, cancellationToken))
            {
                low = hint;
            }
            else
            {
                high = hint;
                if (!await ReadableAtAsync(hint - 1, cancellationToken))
                {
                    low = hint - 1;
                }
            }
        }

        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (await ReadableAtAsync(middle, cancellationToken))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        Volatile.Write(ref _compactRevisionHint, high);
        return high;
    }

    private async Task<bool> ReadableAtAsync(long revision, CancellationToken cancellationToken)
    {
        var probe = new Rpc.RangeRequest { Key = AllKeys.Key, Revision = revision, CountOnly = true, Serializable = true };
        try
        {
            await CallAsync((e, ct) => e.Kv.RangeAsync(probe, cancellationToken: ct).ResponseAsync, idempotent: true, cancellationToken);
            return true;
        }
        catch (RpcException e) when (EtcdErrors.IsCompacted(e))
        {
            return false;
        }
    }
}
