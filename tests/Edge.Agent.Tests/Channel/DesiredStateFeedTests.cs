using Edge.Agent.Channel;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Tests.Channel;

public sealed class DesiredStateFeedTests
{
    [Fact]
    public async Task NextAsync_WaitsForAStateOtherThanTheOneSeen()
    {
        var feed = new DesiredStateFeed();
        Assert.Null(feed.Current);
        var first = feed.NextAsync(null, default);
        Assert.False(first.IsCompleted);

        var one = NodeDesiredState.Empty with { Revision = 1 };
        feed.Publish(one);
        Assert.Same(one, await first);

        var second = feed.NextAsync(one, default);
        Assert.False(second.IsCompleted);
        var two = one with { Revision = 2 };
        feed.Publish(two);
        Assert.Same(two, await second);
        Assert.Same(two, await feed.NextAsync(one, default));
    }

    [Fact]
    public async Task NextAsync_Cancelled_Throws()
    {
        var feed = new DesiredStateFeed();
        using var cancel = new CancellationTokenSource();
        var waiting = feed.NextAsync(null, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
