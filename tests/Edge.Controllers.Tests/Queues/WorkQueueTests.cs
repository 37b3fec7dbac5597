using Edge.Controllers.Queues;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Controllers.Tests.Queues;

/// <summary>The work queue's promises, on a fake clock.</summary>
public sealed class WorkQueueTests
{
    private static async Task<string?> TakeSoonAsync(WorkQueue queue)
    {
        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            return await queue.TakeAsync(soon.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Add_SameKeyTwiceWhileWaiting_IsHandedOutOnce()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        queue.Add("a");
        queue.Add("a");

        Assert.Equal("a", await TakeSoonAsync(queue));
        queue.Done("a");
        Assert.Null(await TakeSoonAsync(queue));
    }

    [Fact]
    public async Task Add_WhileInWork_ComesBackAfterDone()
    {
        using var queue = new WorkQueue(new FakeTimeProvider());
        queue.Add("a");
        var key = await TakeSoonAsync(queue);

        queue.Add("a");
        Assert.Null(await TakeSoonAsync(queue));
        queue.Done(key!);

        Assert.Equal("a", await TakeSoonAsync(queue));
    }

    [Fact]
    public async Task AddAfter_ShorterDelayWhileLongerPending_EarlierWins()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time);
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        queue.AddAfter("a", TimeSpan.FromSeconds(1));

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(await TakeSoonAsync(queue));
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("a", await TakeSoonAsync(queue));
    }

    [Fact]
    public async Task AddRateLimited_Repeatedly_BacksOffExponentiallyUntilForgotten()
    {
        var time = new FakeTimeProvider();
        using var queue = new WorkQueue(time, baseDelay: TimeSpan.FromSeconds(1), maxDelay: TimeSpan.FromSeconds(60));
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");
        queue.AddRateLimited("a");

        // The first failure's 1 s timer is pending; later, longer delays do not push it out.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await TakeSoonAsync(queue));
        queue.Done("a");
        Assert.Equal(3, queue.Failures("a"));
        queue.AddRateLimited("a");
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.Null(await TakeSoonAsync(queue));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await TakeSoonAsync(queue));

        queue.Forget("a");
        Assert.Equal(0, queue.Failures("a"));
    }
}
