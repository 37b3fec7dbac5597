namespace Edge.ApiServer.Logs;

/// <summary>
/// Where <c>pods/log</c> gets a container's log: the node that runs the pod (NodeHub, over the
/// node channel). The API server only checks the request against the Pod and streams the bytes.
/// </summary>
public interface IPodLogs
{
    /// <summary>
    /// Calls <paramref name="write"/> with the log's bytes in order until the log ends, the node
    /// fails or <paramref name="cancellationToken"/> fires. The first call comes as soon as the
    /// node found the log (possibly with no bytes), so the caller can answer 200 before any line
    /// exists. Failures are <see cref="Api.Errors.ApiException"/>s with the status to answer
    /// (503 for a node that is not connected, the node's 400/404 for a log it does not have).
    /// </summary>
    Task StreamAsync(string node, PodLogQuery query, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken);
}
