using Edge.Agent.Channel;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

public sealed class StaticPodFeedTests : IDisposable
{
    private readonly StaticPodFixture _fixture = new();
    private readonly DesiredStateFeed _channel = new();
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));

    [Fact]
    public void Compose_HidesMirrorPods_AddsStaticPodsByTheirUid_KeepsTheRest()
    {
        var web = _fixture.Web;
        var state = StaticPodFixture.State(7, StaticPodFixture.ApiPod("api", "u1"), StaticPodFixture.ApiPod(web.Name, "mirror-uid", mirrorOf: web.Uid)) with { PodCidr = "10.1.2.0/24" };

        var composed = StaticPodFeed.Compose(state, _fixture.Source.Current);

        Assert.Equal(new[] { "u1", web.Uid }.Order(StringComparer.Ordinal), composed.Pods.Keys.Order(StringComparer.Ordinal));
        Assert.Same(web.Pod, composed.Pods[web.Uid]);
        Assert.Equal(7, composed.Revision);
        Assert.Equal("10.1.2.0/24", composed.PodCidr);
    }

    [Fact]
    public async Task Run_NoSnapshot_RuntimeHoldsOnlyStaticPods_StaticPodsPublished()
    {
        var feed = new StaticPodFeed(_channel, _fixture.Source, _ => Task.FromResult(true), _fixture.Log, TimeProvider.System);
        var run = feed.RunAsync(_stop.Token);

        var state = await feed.NextAsync(null, _stop.Token);

        Assert.Equal([_fixture.Web.Uid], state.Pods.Keys);
        Assert.Equal(0, state.Revision);

        var api = StaticPodFixture.ApiPod("api", "u1");
        _channel.Publish(StaticPodFixture.State(3, api));
        var withServer = await feed.NextAsync(state, _stop.Token);
        Assert.Equal(3, withServer.Revision);
        Assert.Contains("u1", withServer.Pods.Keys);
        Assert.Contains(_fixture.Web.Uid, withServer.Pods.Keys);
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Run_NoSnapshot_RuntimeHoldsApiPods_NothingUntilTheChannelsFirstSnapshot()
    {
        var asked = 0;
        var feed = new StaticPodFeed(_channel, _fixture.Source, _ => { Interlocked.Increment(ref asked); return Task.FromResult(false); }, _fixture.Log, TimeProvider.System);
        var run = feed.RunAsync(_stop.Token);
        var next = feed.NextAsync(null, _stop.Token);

        while (Volatile.Read(ref asked) == 0)
        {
            await Task.Delay(10);
        }

        Assert.False(next.IsCompleted);
        Assert.Null(feed.Current);
        Assert.Contains(_fixture.Log.Lines, l => l.Contains("wait for the server's first snapshot", StringComparison.Ordinal));

        _channel.Publish(StaticPodFixture.State(1, StaticPodFixture.ApiPod("api", "u1")));
        var state = await next;
        Assert.Equal(new[] { "u1", _fixture.Web.Uid }.Order(StringComparer.Ordinal), state.Pods.Keys.Order(StringComparer.Ordinal));
        await _stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Run_ManifestChanges_NewStatePublished()
    {
        _channel.Publish(StaticPodFixture.State(1));
        var feed = new StaticPodFeed(_channel, _fixture.Source, _ => throw new InvalidOperationException("not asked once the channel has a snapshot"), _fixture.Log, TimeProvider.System);
        var run = feed.RunAsync(_stop.Token);
        var first = await feed.NextAsync(null, _stop.Token);

        File.Delete(_fixture.Web.File);
        _fixture.Source.Rescan();

        var next = await feed.NextAsync(first, _stop.Token);
        Assert.Empty(next.Pods);
        await _stop.CancelAsync();
        await run;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _fixture.Dispose();
    }
}
