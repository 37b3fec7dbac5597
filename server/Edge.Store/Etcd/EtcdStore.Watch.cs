using System.Runtime.CompilerServices;
using Google.Protobuf.Collections;
using Grpc.Core;

namespace Edge.Store.Etcd;

public sealed partial class EtcdStore
{
    /// <summary>
    /// One etcd watch stream per call. When the stream breaks, it is opened again (on the next
    /// member if need be) from the revision after the last one delivered, so each event still
    /// arrives exactly once; a start revision compacted meanwhile ends it with Compacted.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<WatchEvent>> WatchAsync(WatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RequestChecks.CheckKey(request.Key);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var token = linked.Token;
        var next = request.StartRevision;
        var breaks = 0;
        while (true)
        {
            var (call, created) = await OpenWatchAsync(request, next, token);
            using (call)
            {
                ThrowIfEnded(created);

                // "From now" becomes a revision at once, so a reopened stream cannot skip or repeat.
                if (next == 0)
                {
                    next = created.Header.Revision + 1;
                }

                while (await ReadWatchAsync(call, token) is { } response)
                {
                    breaks = 0;
                    ThrowIfEnded(response);
                    foreach (var batch in ByRevision(response.Events))
                    {
                        yield return batch;
                        next = batch[0].Kv.ModRevision + 1;
                    }
                }
            }

            // A member that keeps accepting and then dropping the stream must not spin us forever.
            if (++breaks > 3)
            {
                throw new StoreException($"the etcd watch of {request.Key} broke {breaks} times in a row without an event ({_connection.Describe()})");
            }
        }
    }

    private async Task<(AsyncDuplexStreamingCall<Rpc.WatchRequest, Rpc.WatchResponse> Call, Rpc.WatchResponse Created)> OpenWatchAsync(
        WatchRequest request, long startRevision, CancellationToken cancellationToken)
    {
        var create = new Rpc.WatchRequest
        {
            CreateRequest = new Rpc.WatchCreateRequest
            {
                Key = EtcdWire.Bytes(request.Key),
                RangeEnd = EtcdWire.Bytes(request.RangeEnd),
                StartRevision = startRevision,
                PrevKv = request.PrevKv,
            },
        };
        try
        {
            return await CallAsync(
                async (e, ct) =>
                {
                    var call = e.Watch.Watch(cancellationToken: ct);
                    try
                    {
                        // The request stream stays open: etcd ends the watch when it is closed.
                        await EtcdStreams.SendAsync(call, create, complete: false, ct);
                        if (!await call.ResponseStream.MoveNext(ct))
                        {
                            throw new RpcException(new Status(StatusCode.Unavailable, "the watch stream ended before the watch was created"));
                        }

                        return (call, call.ResponseStream.Current);
                    }
                    catch
                    {
                        call.Dispose();
                        throw;
                    }
                },
                idempotent: true,
                cancellationToken);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "watch");
        }
    }

    /// <summary>The next response, or null when the stream broke or ended and should be reopened.</summary>
    private static async Task<Rpc.WatchResponse?> ReadWatchAsync(AsyncDuplexStreamingCall<Rpc.WatchRequest, Rpc.WatchResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken) ? call.ResponseStream.Current : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the watch was canceled", e, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            return null;
        }
        catch (RpcException e)
        {
            throw EtcdErrors.ToStoreException(e, "watch");
        }
    }

    private static void ThrowIfEnded(Rpc.WatchResponse response)
    {
        if (response.CompactRevision > 0)
        {
            throw new StoreCompactedException(response.CompactRevision);
        }

        if (response.Canceled)
        {
            throw new StoreException($"etcd canceled the watch: {(response.CancelReason.Length > 0 ? response.CancelReason : "no reason given")}");
        }
    }

    // etcd never splits one revision over responses (unless asked to fragment), but one response
    // may hold several revisions.
    private static IEnumerable<IReadOnlyList<WatchEvent>> ByRevision(RepeatedField<Rpc.Event> events)
    {
        List<WatchEvent>? batch = null;
        foreach (var e in events)
        {
            var watchEvent = EtcdWire.FromEvent(e);
            if (batch is not null && batch[0].Kv.ModRevision != watchEvent.Kv.ModRevision)
            {
                yield return batch;
                batch = null;
            }

            (batch ??= []).Add(watchEvent);
        }

        if (batch is not null)
        {
            yield return batch;
        }
    }
}
