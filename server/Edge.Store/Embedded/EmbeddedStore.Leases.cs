using System.Security.Cryptography;
using Edge.Store.Embedded.Wal;

namespace Edge.Store.Embedded;

public sealed partial class EmbeddedStore
{
    private readonly Dictionary<long, LeaseState> _leases = [];

    /// <summary>
    /// A lease's TTL and deadline. Deadlines live in memory only: after a restart every lease gets
    /// its full TTL again (etcd does the same), so a restart never expires a healthy holder.
    /// </summary>
    private sealed record LeaseState(TimeSpan Ttl, DateTimeOffset Deadline)
    {
        public DateTimeOffset Deadline { get; set; } = Deadline;
    }

    public Task<Lease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new StoreRequestException("lease TTL must be positive");
        }

        return Enqueue(store => store.ApplyGrant(ttl), cancellationToken);
    }

    public Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        lock (_lock)
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                throw new LeaseNotFoundException(leaseId);
            }

            lease.Deadline = _options.Time.GetUtcNow() + lease.Ttl;
            return Task.FromResult(lease.Ttl);
        }
    }

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) =>
        Enqueue(store => store.ApplyRevoke(leaseId, expired: false), cancellationToken);

    private Lease ApplyGrant(TimeSpan ttl)
    {
        long id;
        do
        {
            id = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)) >> 1);
        }
        while (id == 0 || _leases.ContainsKey(id));

        _leases[id] = new LeaseState(ttl, _options.Time.GetUtcNow() + ttl);
        _undo.Add(() => _leases.Remove(id));
        WalRecords.WriteLong(_walBuffer, RecordType.LeaseGrant, id, (long)ttl.TotalMilliseconds);
        return new Lease(id, ttl);
    }

    /// <summary>Deletes the lease's keys (one revision, if it has any) and forgets the lease.</summary>
    private bool ApplyRevoke(long leaseId, bool expired)
    {
        if (!_leases.TryGetValue(leaseId, out var lease))
        {
            if (expired)
            {
                return false; // revoked meanwhile
            }

            throw new LeaseNotFoundException(leaseId);
        }

        var keys = _index.Range("\0", RangeRequest.AllFrom, _index.Revision).Where(kv => kv.Lease == leaseId).Select(kv => kv.Key).ToList();
        if (keys.Count > 0)
        {
            ApplyTxn(new TxnRequest([], [.. keys.Select(k => (TxnOp)new DeleteOp(k))]));
        }

        _leases.Remove(leaseId);
        _undo.Add(() => _leases[leaseId] = lease);
        WalRecords.WriteLong(_walBuffer, RecordType.LeaseRevoke, leaseId);
        return true;
    }

    private async Task LeaseTimerAsync()
    {
        using var timer = new PeriodicTimer(_options.LeaseCheckInterval, _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                List<long> expired;
                lock (_lock)
                {
                    var now = _options.Time.GetUtcNow();
                    expired = _leases.Where(l => l.Value.Deadline <= now).Select(l => l.Key).ToList();
                }

                foreach (var id in expired)
                {
                    // A failed revoke (disk full) is retried at the next tick; observe it so it is not lost as an unobserved exception.
                    _ = Enqueue(store => store.ApplyRevoke(id, expired: true), CancellationToken.None)
                        .ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
