using Google.Protobuf;

namespace Edge.Store.Etcd;

/// <summary>Our requests as etcd's messages and back. Keys travel as UTF-8 bytes.</summary>
internal static class EtcdWire
{
    /// <summary>
    /// A key or range end. <see cref="RangeRequest.AllFrom"/> ("\0") becomes the single zero byte
    /// etcd reads as "to the end"; a null range end, the empty one that means "this key only".
    /// </summary>
    public static ByteString Bytes(string? key) => key is null ? ByteString.Empty : ByteString.CopyFromUtf8(key);

    public static Rpc.RangeRequest ToRange(RangeRequest request) => new()
    {
        Key = Bytes(request.Key),
        RangeEnd = Bytes(request.RangeEnd),
        Limit = request.Limit,
        Revision = request.Revision,
        CountOnly = request.CountOnly,
    };

    /// <summary>
    /// A read's result. Its revision is the one read at: the requested one for a read of the past
    /// (etcd's header carries the current revision even then), else etcd's header revision, else
    /// the revision of the transaction the read ran in.
    /// </summary>
    public static RangeResult FromRange(Rpc.RangeResponse response, long requestedRevision, long txnRevision = 0) => new(
        response.Kvs.Select(FromKv).ToArray(),
        response.Count,
        response.More,
        requestedRevision > 0 ? requestedRevision : response.Header is { Revision: > 0 } header ? header.Revision : txnRevision);

    public static KeyValue FromKv(Rpc.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    public static Rpc.TxnRequest ToTxn(TxnRequest request)
    {
        var txn = new Rpc.TxnRequest();
        txn.Compare.AddRange(request.Compares.Select(ToCompare));
        txn.Success.AddRange(request.Success.Select(ToOp));
        txn.Failure.AddRange((request.Failure ?? []).Select(ToOp));
        return txn;
    }

    /// <summary>The results of the branch that ran, one per operation of <paramref name="request"/>'s branch.</summary>
    public static TxnResult FromTxn(Rpc.TxnResponse response, TxnRequest request)
    {
        var revision = response.Header.Revision;
        var ops = response.Succeeded ? request.Success : request.Failure ?? [];
        var results = response.Responses.Select((op, i) => op.ResponseCase switch
        {
            Rpc.ResponseOp.ResponseOneofCase.ResponsePut =>
                (TxnOpResult)new PutResult(op.ResponsePut.PrevKv is { } prev ? FromKv(prev) : null),
            Rpc.ResponseOp.ResponseOneofCase.ResponseDeleteRange =>
                new DeleteResult(op.ResponseDeleteRange.Deleted, op.ResponseDeleteRange.PrevKvs.Select(FromKv).ToArray()),
            Rpc.ResponseOp.ResponseOneofCase.ResponseRange =>
                new RangeOpResult(FromRange(op.ResponseRange, i < ops.Count && ops[i] is RangeOp read ? read.Request.Revision : 0, revision)),
            _ => throw new StoreException($"etcd answered a transaction with an unknown operation result ({op.ResponseCase})"),
        }).ToArray();
        return new TxnResult(response.Succeeded, revision, results);
    }

    public static WatchEvent FromEvent(Rpc.Event e) => new(
        e.Type == Rpc.Event.Types.EventType.Delete ? WatchEventType.Delete : WatchEventType.Put,
        FromKv(e.Kv),
        e.PrevKv is { } prev ? FromKv(prev) : null);

    private static Rpc.Compare ToCompare(Compare compare)
    {
        var result = new Rpc.Compare
        {
            Key = Bytes(compare.Key),
            Result = compare.Result switch
            {
                CompareResult.Equal => Rpc.Compare.Types.CompareResult.Equal,
                CompareResult.NotEqual => Rpc.Compare.Types.CompareResult.NotEqual,
                CompareResult.Greater => Rpc.Compare.Types.CompareResult.Greater,
                CompareResult.Less => Rpc.Compare.Types.CompareResult.Less,
                _ => throw new StoreRequestException($"unknown compare result {compare.Result}"),
            },
        };
        switch (compare.Target)
        {
            case CompareTarget.Version:
                result.Target = Rpc.Compare.Types.CompareTarget.Version;
                result.Version = compare.Number;
                break;
            case CompareTarget.CreateRevision:
                result.Target = Rpc.Compare.Types.CompareTarget.Create;
                result.CreateRevision = compare.Number;
                break;
            case CompareTarget.ModRevision:
                result.Target = Rpc.Compare.Types.CompareTarget.Mod;
                result.ModRevision = compare.Number;
                break;
            case CompareTarget.Value:
                result.Target = Rpc.Compare.Types.CompareTarget.Value;
                result.Value = ByteString.CopyFrom(compare.Value ?? []);
                break;
            case CompareTarget.Lease:
                result.Target = Rpc.Compare.Types.CompareTarget.Lease;
                result.Lease = compare.Number;
                break;
            default:
                throw new StoreRequestException($"unknown compare target {compare.Target}");
        }

        return result;
    }

    private static Rpc.RequestOp ToOp(TxnOp op) => op switch
    {
        PutOp put => new Rpc.RequestOp
        {
            // No copy of a value of up to 1.5 MiB: the message is serialized before the call returns.
            RequestPut = new Rpc.PutRequest { Key = Bytes(put.Key), Value = UnsafeByteOperations.UnsafeWrap(put.Value), Lease = put.Lease, PrevKv = put.PrevKv },
        },
        DeleteOp delete => new Rpc.RequestOp
        {
            RequestDeleteRange = new Rpc.DeleteRangeRequest { Key = Bytes(delete.Key), RangeEnd = Bytes(delete.RangeEnd), PrevKv = delete.PrevKv },
        },
        RangeOp range => new Rpc.RequestOp { RequestRange = ToRange(range.Request) },
        _ => throw new StoreRequestException($"unknown transaction operation {op.GetType().Name}"),
    };
}
