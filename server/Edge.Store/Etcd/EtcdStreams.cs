using Grpc.Core;

namespace Edge.Store.Etcd;

internal static class EtcdStreams
{
    /// <summary>
    /// Sends one message on a streaming call. When the call has already failed (its connection
    /// died), Grpc.Net.Client throws a bare cancellation or "the call is complete" here, which
    /// would read as the caller's cancellation; so that is swallowed and the next read of the
    /// response stream throws the call's real status.
    /// </summary>
    public static async Task SendAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TRequest message, bool complete, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(message, cancellationToken);
            if (complete)
            {
                await call.RequestStream.CompleteAsync();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
        }
    }
}
