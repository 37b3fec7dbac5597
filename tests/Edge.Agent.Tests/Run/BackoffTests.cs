using Edge.Agent.Run;

namespace Edge.Agent.Tests.Run;

public sealed class BackoffTests
{
    [Fact]
    public void NextDelay_NoJitter_Doubles1sTo30s()
    {
        var backoff = new Backoff(() => 0);

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.NextDelay().TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void NextDelay_FullJitter_ShortensByAFifth_AndResetStartsOver()
    {
        var backoff = new Backoff(() => 1);

        Assert.Equal(0.8, backoff.NextDelay().TotalSeconds, 6);
        Assert.Equal(1.6, backoff.NextDelay().TotalSeconds, 6);
        backoff.Reset();
        Assert.Equal(0.8, backoff.NextDelay().TotalSeconds, 6);
    }

    [Fact]
    public void NextDelay_ManyFailures_StaysAt30s()
    {
        var backoff = new Backoff(() => 0);
        for (var i = 0; i < 100; i++)
        {
            backoff.NextDelay();
        }

        Assert.Equal(30, backoff.NextDelay().TotalSeconds);
    }
}
