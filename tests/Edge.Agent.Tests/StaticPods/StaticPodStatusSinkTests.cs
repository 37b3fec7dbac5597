using System.Text.Json.Nodes;
using Edge.Agent.Channel;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

public sealed class StaticPodStatusSinkTests : IDisposable
{
    private readonly StaticPodFixture _fixture = new();
    private readonly DesiredStateFeed _channel = new();
    private readonly RecordingSink _sent = new();

    [Fact]
    public async Task Report_StaticPodWithMirror_SentAsTheMirror()
    {
        var web = _fixture.Web;
        _channel.Publish(StaticPodFixture.State(1, StaticPodFixture.ApiPod(web.Name, "mirror-uid", mirrorOf: web.Uid)));
        var sink = new StaticPodStatusSink(_sent, _channel, _fixture.Source);

        await sink.ReportAsync(new PodStatusUpdate(web.Namespace, web.Name, web.Uid, new JsonObject { ["phase"] = "Running" }), default);

        var sent = Assert.Single(_sent.Reports);
        Assert.Equal(("default", web.Name, "mirror-uid"), (sent.Namespace, sent.Name, sent.Uid));
        Assert.Equal("Running", (string?)sent.Status["phase"]);
    }

    [Fact]
    public async Task Report_StaticPodWithoutMirror_NothingSent_UntilAMirrorAppears()
    {
        var web = _fixture.Web;
        _channel.Publish(StaticPodFixture.State(1, StaticPodFixture.ApiPod(web.Name, "old-mirror", mirrorOf: web.Uid, deleting: true)));
        var sink = new StaticPodStatusSink(_sent, _channel, _fixture.Source);

        await sink.ReportAsync(new PodStatusUpdate(web.Namespace, web.Name, web.Uid, new JsonObject { ["phase"] = "Running" }), default);
        await sink.ResendAsync(default);
        Assert.Empty(_sent.Reports);

        _channel.Publish(StaticPodFixture.State(2, StaticPodFixture.ApiPod(web.Name, "new-mirror", mirrorOf: web.Uid)));
        await sink.ResendAsync(default);
        await sink.ResendAsync(default);

        Assert.Equal("new-mirror", Assert.Single(_sent.Reports).Uid);
    }

    [Fact]
    public async Task ApiPods_Forwarded_StaticPodDeletionNotConfirmed()
    {
        var web = _fixture.Web;
        var sink = new StaticPodStatusSink(_sent, _channel, _fixture.Source);

        await sink.ReportAsync(new PodStatusUpdate("default", "api", "u1", new JsonObject()), default);
        await sink.ConfirmDeletedAsync("default", "api", "u1", default);
        await sink.ConfirmDeletedAsync(web.Namespace, web.Name, web.Uid, default);

        Assert.Equal("u1", Assert.Single(_sent.Reports).Uid);
        Assert.Equal(["u1"], _sent.Confirmed);
    }

    public void Dispose() => _fixture.Dispose();

    private sealed class RecordingSink : IPodStatusSink
    {
        public List<PodStatusUpdate> Reports { get; } = [];

        public List<string> Confirmed { get; } = [];

        public ValueTask ReportAsync(PodStatusUpdate update, CancellationToken cancellationToken)
        {
            Reports.Add(update);
            return ValueTask.CompletedTask;
        }

        public ValueTask ConfirmDeletedAsync(string @namespace, string name, string uid, CancellationToken cancellationToken)
        {
            Confirmed.Add(uid);
            return ValueTask.CompletedTask;
        }
    }
}
