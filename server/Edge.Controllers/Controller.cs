using Edge.Api.Errors;
using Edge.Controllers.Queues;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers;

/// <summary>
/// A control loop: informer handlers put keys in the queue, workers reconcile one key at a time.
/// Reconciling is idempotent (it looks at the world, not at the event), so a failure simply
/// retries the key with back-off, and a conflict (someone wrote first) retries at once.
/// </summary>
public abstract class Controller(string name, ILogger logger, TimeProvider time, int workers = 1) : IDisposable
{
    protected WorkQueue Queue { get; } = new(time);

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    public string Name { get; } = name;

    /// <summary>Brings the object of the key to its wanted state.</summary>
    protected abstract Task ReconcileAsync(string key, CancellationToken cancellationToken);

    public void Enqueue(string key) => Queue.Add(key);

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await Queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await ReconcileAsync(key, cancellationToken);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RetryLaterException e)
            {
                ControllerLog.Retrying(Logger, Name, key, e.Message);
                Queue.AddRateLimited(key);
            }
            catch (ApiException e) when (e.Status.Code is 409 or 404)
            {
                // Someone else changed it first (or it is gone): look again with fresh state.
                ControllerLog.Retrying(Logger, Name, key, e.Message);
                Queue.AddRateLimited(key);
            }
            catch (Exception e)
            {
                ControllerLog.ReconcileFailed(Logger, Name, key, e);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    public void Dispose()
    {
        Queue.Dispose();
        GC.SuppressFinalize(this);
    }
}

internal static partial class ControllerLog
{
    [LoggerMessage(1, LogLevel.Debug, "{Controller}: {Key} changed underneath, retrying: {Reason}")]
    public static partial void Retrying(ILogger logger, string controller, string key, string reason);

    [LoggerMessage(2, LogLevel.Warning, "{Controller}: reconciling {Key} failed, retrying with back-off")]
    public static partial void ReconcileFailed(ILogger logger, string controller, string key, Exception exception);
}

/// <summary>Reconciling did what it could but must come back later, with back-off (not an error worth a warning).</summary>
public sealed class RetryLaterException(string message) : Exception(message);
