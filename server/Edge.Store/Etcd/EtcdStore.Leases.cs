using Grpc.Core;

namespace Edge.Store.Etcd;

public sealed partial class EtcdStore
{
    public async Task<Lease> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        // etcd counts in whole seconds; rounding up never hands out less than was asked for.
        var message = new Rpc.LeaseGrantRequest { TTL = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)) };
        Rpc.LeaseGrantResponse response;
        try
        {
            response = await CallAsync((e, ct) => e.Lease.LeaseGrantAsync(message, cancellationToken: ct).ResponseAsync, idempotent: false, cancellationToken);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "lease grant");
        }

        if (response.Error.Length > 0)
        {
            throw new StoreException($"etcd refused the lease grant: {response.Error}");
        }

        return new Lease(response.ID, TimeSpan.FromSeconds(response.TTL));
    }

    /// <summary>One renewal over etcd's keep-alive stream, which has no unary form.</summary>
    public async Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        Rpc.LeaseKeepAliveResponse response;
        try
        {
            response = await CallAsync(
                async (e, ct) =>
                {
                    using var call = e.Lease.LeaseKeepAlive(cancellationToken: ct);
                    await EtcdStreams.SendAsync(call, new Rpc.LeaseKeepAliveRequest { ID = leaseId }, complete: true, ct);
                    if (!await call.ResponseStream.MoveNext(ct))
                    {
                        throw new StoreException($"etcd at {e.Address} ended the keep-alive stream without an answer");
                    }

                    return call.ResponseStream.Current;
                },
                idempotent: true,
                cancellationToken);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "lease keep-alive");
        }

        // etcd answers an unknown or expired lease with TTL 0 rather than an error.
        if (response.TTL <= 0)
        {
            throw new LeaseNotFoundException(leaseId);
        }

        return TimeSpan.FromSeconds(response.TTL);
    }

    public async Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        var message = new Rpc.LeaseRevokeRequest { ID = leaseId };
        try
        {
            await CallAsync((e, ct) => e.Lease.LeaseRevokeAsync(message, cancellationToken: ct).ResponseAsync, idempotent: false, cancellationToken);
        }
        catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
        {
            throw new LeaseNotFoundException(leaseId);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "lease revoke");
        }
    }
}
