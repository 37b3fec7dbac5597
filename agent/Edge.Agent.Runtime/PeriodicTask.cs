namespace Edge.Agent.Runtime;

/// <summary>
/// A background pass repeated every period until disposed (log rotation, image collection): a
/// pass that fails with an error it expects is logged and the next one tries again; stopping
/// waits for the pass under way.
/// </summary>
internal sealed class PeriodicTask(
    string name, Func<CancellationToken, Task> pass, TimeSpan period, Func<Exception, bool> expected, IRuntimeLog log, TimeProvider time)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await pass(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (expected(e))
            {
                log.Warn($"{name}: {e.Message}");
            }

            try
            {
                await Task.Delay(period, time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }
}
