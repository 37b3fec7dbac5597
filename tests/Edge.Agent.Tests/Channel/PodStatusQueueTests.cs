using System.Text.Json.Nodes;
using Edge.Agent.Channel;
using Edge.Agent.Runtime.Desired;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Tests.Channel;

public sealed class PodStatusQueueTests
{
    private static PodStatusUpdate Status(string uid, string phase) =>
        new("default", "pod-" + uid, uid, new JsonObject { ["phase"] = phase });

    private static string Phase(PodStatus status) => (string)JsonNode.Parse(status.StatusJson.Span)!["phase"]!;

    [Fact]
    public async Task Report_SamePodTwiceBeforeSending_SendsOnlyTheLatest()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Pending"), default);
        await queue.ReportAsync(Status("u1", "Running"), default);
        await queue.ReportAsync(Status("u2", "Pending"), default);

        var batch = queue.TakeStatuses(1)!;

        Assert.Equal(2, batch.Pods.Count);
        Assert.Equal("Running", Phase(batch.Pods.Single(p => p.Uid == "u1")));
        Assert.Null(queue.TakeStatuses(2));
    }

    [Fact]
    public async Task Settle_AckOfTheCarryingMessage_EmptiesTheQueue()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Running"), default);
        queue.TakeStatuses(7);

        queue.Settle(new StatusAck { AckedSequence = 7 });

        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Settle_NewerReportSinceSending_KeepsTheNewerOneForItsOwnSend()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Pending"), default);
        queue.TakeStatuses(1);
        await queue.ReportAsync(Status("u1", "Running"), default);

        queue.Settle(new StatusAck { AckedSequence = 1 });

        Assert.Equal("Running", Phase(queue.TakeStatuses(2)!.Pods.Single()));
    }

    [Fact]
    public async Task Reconnected_UnackedStatus_IsSentAgain()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Running"), default);
        queue.TakeStatuses(1);
        Assert.Null(queue.TakeStatuses(2));

        queue.Reconnected();

        Assert.Equal("u1", queue.TakeStatuses(3)!.Pods.Single().Uid);
    }

    [Fact]
    public async Task Settle_ServerErrorIsRetried_RefusalIsDropped()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Running"), default);
        await queue.ReportAsync(Status("u2", "Running"), default);
        queue.TakeStatuses(1);

        queue.Settle(new StatusAck
        {
            AckedSequence = 1,
            Failures =
            {
                new WriteFailure { Pod = new ObjectRef { Uid = "u1" }, Code = 500, Message = "store down" },
                new WriteFailure { Pod = new ObjectRef { Uid = "u2" }, Code = 409, Message = "uid changed" },
            },
        });

        Assert.Equal("u1", queue.TakeStatuses(2)!.Pods.Single().Uid);
    }

    [Fact]
    public async Task ConfirmDeleted_DropsThePendingStatus_AndLaterStatusesOfThatPod()
    {
        var queue = new PodStatusQueue();
        await queue.ReportAsync(Status("u1", "Running"), default);
        await queue.ConfirmDeletedAsync("default", "pod-u1", "u1", default);
        await queue.ReportAsync(Status("u1", "Succeeded"), default);

        Assert.Null(queue.TakeStatuses(1));
        var deletion = queue.TakeDeletions(2)!.Pods.Single();
        Assert.Equal(("default", "pod-u1", "u1"), (deletion.Namespace, deletion.Name, deletion.Uid));
        queue.Settle(new StatusAck { AckedSequence = 2 });
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task WaitAsync_CompletesOnAReport_AndTimesOutWhenIdle()
    {
        var queue = new PodStatusQueue();

        Assert.False(await queue.WaitAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, default));
        var waiting = queue.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, default);
        await queue.ReportAsync(Status("u1", "Running"), default);
        Assert.True(await waiting);
    }
}
