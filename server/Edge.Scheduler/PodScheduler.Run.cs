namespace Edge.Scheduler;

public sealed partial class PodScheduler
{
    // Upstream flushes the backoff queue every second; the same tick retries pods left unschedulable too long.
    static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Schedules pods one at a time until cancelled. Binding and reporting run in the background
    /// so the next cycle need not wait for the API server.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (ScheduleOne(cancellationToken) is not null)
                continue;
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(FlushInterval, _time, tick.Token);
            var woken = _wake.WaitAsync(tick.Token);
            await Task.WhenAny(delay, woken).ConfigureAwait(false);
            await tick.CancelAsync().ConfigureAwait(false);
        }
    }
}
