namespace Edge.Store;

/// <summary>
/// The cluster's key-value store, shaped like etcd v3 so the same callers run on the embedded
/// engine and on a real etcd cluster. Every write gets the next revision of the whole store; a
/// write is acknowledged only once it is durable. Failures are <see cref="StoreException"/>s;
/// cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public interface IStore : IAsyncDisposable
{
    /// <summary>Reads one key, a key range or a prefix, now or at an older revision.</summary>
    Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default);

    /// <summary>If every compare holds, runs <c>Success</c>, else <c>Failure</c>, atomically as one revision.</summary>
    Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change to a key or range from <see cref="WatchRequest.StartRevision"/> on, in
    /// revision order, each event exactly once; the events of one revision arrive in one batch.
    /// Throws <see cref="StoreCompactedException"/> when the start revision has been compacted.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<WatchEvent>> WatchAsync(WatchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Drops history older than <paramref name="revision"/>; reads and watches before it fail with Compacted.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken = default);

    /// <summary>Creates a lease; keys put with it are deleted when it expires or is revoked.</summary>
    Task<Lease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Restarts the lease's countdown; returns its TTL. Throws <see cref="LeaseNotFoundException"/>.</summary>
    Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Ends the lease now and deletes its keys (one revision).</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Revision, compacted revision, size and engine of the store.</summary>
    Task<StoreStatus> StatusAsync(CancellationToken cancellationToken = default);
}
