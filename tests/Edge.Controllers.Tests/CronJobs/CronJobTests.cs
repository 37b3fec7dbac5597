using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.CronJobs;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.CronJobs;

/// <summary>A CronJob on the real clock: its last schedule time is set back so that a run is due at once.</summary>
public sealed class CronJobTests
{
    private static readonly ResourceType CronJobs = KnownResources.CronJobs;
    private static readonly ResourceType Jobs = KnownResources.Jobs;
    private static readonly ResourceType Events = KnownResources.Events;

    private const string JobSpec = """{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"server:1"}]}}}""";

    [Fact]
    public async Task CronJob_ForbidWhileAJobIsActive_SkipsUntilItIsGone()
    {
        await using var cluster = await StartAsync();
        var cj = await cluster.Client.CreateAsync(CronJobs, cluster.Namespace, Json($$$"""
            {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick"},
             "spec":{"schedule":"* * * * *","concurrencyPolicy":"Forbid","suspend":true,"jobTemplate":{"spec":{{{JobSpec}}} } } }
            """), default);
        var running = Json($$$"""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"tick-manual"},"spec":{{{JobSpec}}} }""");
        running["metadata"]!["ownerReferences"] = new JsonArray(Owners.ControllerReference(cj, CronJobs));
        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, running, default);
        var due = ObjectFields.Timestamp(DateTimeOffset.UtcNow.AddMinutes(-3));
        await cluster.PatchAsync(CronJobs, cluster.Namespace, "tick", $$$"""{"status":{"lastScheduleTime":"{{{due}}}"} }""", "status");

        await cluster.PatchAsync(CronJobs, cluster.Namespace, "tick", """{"spec":{"suspend":false}}""");

        await WaitForAsync(async () => (await cluster.ListAsync(Events)).Any(e => ObjectFields.String(e, "reason") == "JobAlreadyActive"), "the JobAlreadyActive event");
        await Task.Delay(300);
        Assert.Equal(["tick-manual"], (await cluster.ListAsync(Jobs)).Select(j => j.Name()));

        await cluster.Client.DeleteAsync(Jobs, cluster.Namespace, "tick-manual", new DeleteRequest { PropagationPolicy = "Background" }, default);

        await WaitForAsync(async () => (await cluster.ListAsync(Jobs)).Any(j => j.Name() != "tick-manual"), "the scheduled job");
        var job = (await cluster.ListAsync(Jobs)).Single(j => j.Name() != "tick-manual");
        var scheduled = ObjectFields.ParseTimestamp(ObjectFields.String(job["metadata"]?["annotations"], CronJobController.ScheduledTimestampAnnotation))!.Value;
        Assert.Equal($"tick-{scheduled.ToUnixTimeSeconds() / 60}", job.Name());
        Assert.Equal(0, scheduled.Second);
        Assert.True(Owners.IsControlledBy(job, cj));
        await WaitForAsync(async () =>
        {
            var status = (await cluster.Client.GetAsync(CronJobs, cluster.Namespace, "tick", default))["status"];
            return ObjectFields.String(status, "lastScheduleTime") == ObjectFields.Timestamp(scheduled) &&
                (status?["active"] as JsonArray)?.Count == 1;
        }, "status with the scheduled job active");
    }
}
