namespace Edge.Native;

/// <summary>
/// A dedicated thread for long background work (a store snapshot) that must not take the CPU
/// from the work that answers requests: on Linux a thread has its own nice value, and this one
/// runs at the lowest priority. It still gets what the other threads leave idle.
/// </summary>
public static class BackgroundThread
{
    private const int LowestPriority = 19;

    /// <summary>Runs <paramref name="work"/> on a new low-priority thread; the task ends with it.</summary>
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            // Best effort: a failure leaves the thread at normal priority, which is still correct.
            _ = Libc.Setpriority(Libc.PRIO_PROCESS, Libc.Gettid(), LowestPriority);
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
