using System.Text;

namespace Edge.Store.Etcd;

/// <summary>
/// <see cref="StoreLimits"/> checked before a request leaves, with the embedded engine's wording,
/// so both engines refuse the same requests the same way. etcd checks only the size of the whole
/// request (<c>--max-request-bytes</c>) and the operation count; anything it refuses beyond these
/// arrives as its own error.
/// </summary>
internal static class EtcdRequestChecks
{
    public static void CheckKey(string key)
    {
        if (key.Length == 0)
        {
            throw new StoreRequestException("key is not provided");
        }

        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > StoreLimits.MaxKeyBytes)
        {
            throw new StoreRequestException($"key {Shorten(key)} is {bytes} bytes; the limit is {StoreLimits.MaxKeyBytes}");
        }
    }

    public static void CheckTxn(TxnRequest request)
    {
        if (request.Compares.Count > StoreLimits.MaxTxnOps || request.Success.Count > StoreLimits.MaxTxnOps || (request.Failure?.Count ?? 0) > StoreLimits.MaxTxnOps)
        {
            throw new StoreRequestException($"too many operations in txn request (limit {StoreLimits.MaxTxnOps})");
        }

        foreach (var op in request.Success.Concat(request.Failure ?? []))
        {
            switch (op)
            {
                case PutOp put:
                    CheckKey(put.Key);
                    if (put.Value.Length > StoreLimits.MaxValueBytes)
                    {
                        throw new StoreRequestException($"value of {Shorten(put.Key)} is {put.Value.Length} bytes; the limit is {StoreLimits.MaxValueBytes}");
                    }

                    break;
                case DeleteOp delete:
                    CheckKey(delete.Key);
                    break;
                case RangeOp range:
                    CheckKey(range.Request.Key);
                    break;
            }
        }
    }

    private static string Shorten(string key) => key.Length <= 64 ? key : key[..64] + "…";
}
