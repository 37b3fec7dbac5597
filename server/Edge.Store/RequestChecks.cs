using System.Text;

namespace Edge.Store;

/// <summary>
/// <see cref="StoreLimits"/> and the shape of a request, checked by both engines before anything
/// is queued or sent, so they refuse the same requests with the same words. (etcd itself checks
/// only the size of the whole request, <c>--max-request-bytes</c>, and the operation count.)
/// </summary>
internal static class RequestChecks
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

        foreach (var branch in new[] { request.Success, request.Failure ?? [] })
        {
            var putKeys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var op in branch)
            {
                switch (op)
                {
                    case PutOp put:
                        CheckKey(put.Key);
                        if (put.Value.Length > StoreLimits.MaxValueBytes)
                        {
                            throw new StoreRequestException($"value of {Shorten(put.Key)} is {put.Value.Length} bytes; the limit is {StoreLimits.MaxValueBytes}");
                        }

                        if (!putKeys.Add(put.Key))
                        {
                            throw new StoreRequestException($"duplicate key {Shorten(put.Key)} given in txn request");
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
    }

    private static string Shorten(string key) => key.Length <= 64 ? key : key[..64] + "…";
}
