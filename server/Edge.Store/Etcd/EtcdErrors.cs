using Grpc.Core;

namespace Edge.Store.Etcd;

/// <summary>
/// etcd's gRPC errors in our terms. etcd puts its meaning in the status detail (its
/// <c>rpctypes</c> descriptions), and one status code covers several meanings, so the detail decides.
/// </summary>
internal static class EtcdErrors
{
    public static bool IsCompacted(RpcException e) => e.Status.Detail.Contains("required revision has been compacted", StringComparison.Ordinal);

    public static bool IsFutureRevision(RpcException e) => e.Status.Detail.Contains("required revision is a future revision", StringComparison.Ordinal);

    public static bool IsLeaseNotFound(RpcException e) => e.StatusCode == StatusCode.NotFound && e.Status.Detail.Contains("lease not found", StringComparison.Ordinal);

    /// <summary>The error in one line: etcd's own text, or what the client was doing and the innermost cause.</summary>
    public static string Describe(RpcException e)
    {
        var cause = e.Status.DebugException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        if (cause is null)
        {
            return e.Status.Detail;
        }

        // Grpc.Net.Client's detail is "Error starting gRPC call. HttpRequestException: … " and so on.
        var doing = e.Status.Detail.Split(". ")[0].TrimEnd('.');
        return $"{doing}: {cause.Message.Split('\n')[0]}";
    }

    /// <summary>Everything but the revision errors, which need a look at the store to report (see EtcdStore).</summary>
    public static StoreException ToStoreException(RpcException e, string operation) => e.StatusCode switch
    {
        // Empty key, duplicate key in a txn, too many operations, request too large.
        StatusCode.InvalidArgument => new StoreRequestException($"etcd refused the {operation}: {e.Status.Detail}"),
        StatusCode.ResourceExhausted when e.Status.Detail.Contains("larger than max", StringComparison.Ordinal) =>
            new StoreRequestException($"etcd refused the {operation}: {e.Status.Detail}"),
        StatusCode.DeadlineExceeded => new StoreException($"etcd did not answer the {operation} in time: {e.Status.Detail}", e),
        _ => new StoreException($"etcd failed the {operation}: {e.StatusCode}: {Describe(e)}", e),
    };
}
