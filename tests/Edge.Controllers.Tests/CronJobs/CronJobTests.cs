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

    [Fact]
    public async Task CronJob_ForbidWhileAJobIsActive_SkipsUntilItIsGone()
    {
        await using var cluster = await StartAsync();
        var cj = await cluster.Client.CreateAsync(CronJobs, cluster.Namespace, CronJob("tick", "Forbid", "server:1"), default);
        await CreateOwnedJobAsync(cluster, cj, "tick-manual", "server:1");
        await MakeDueAsync(cluster, "tick");

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

    [Fact]
    public async Task CronJob_ReplaceWhileAJobIsActive_DeletesItAndStartsTheScheduledJob()
    {
        await using var cluster = await StartAsync();
        var cj = await cluster.Client.CreateAsync(CronJobs, cluster.Namespace, CronJob("tick", "Replace", "server:1"), default);
        await CreateOwnedJobAsync(cluster, cj, "tick-manual", "server:1");
        await MakeDueAsync(cluster, "tick");

        await cluster.PatchAsync(CronJobs, cluster.Namespace, "tick", """{"spec":{"suspend":false}}""");

        // Allow would keep both jobs, Forbid only the manual one.
        await WaitForAsync(async () => await cluster.ListAsync(Jobs) is [var only] && only.Name() != "tick-manual", "only the scheduled job");
    }

    [Fact]
    public async Task CronJob_SuccessfulHistoryLimitOne_KeepsOnlyTheNewestFinishedJob()
    {
        await using var cluster = await StartAsync();
        cluster.ExitCodes["work:ok"] = 0;
        var cj = await cluster.Client.CreateAsync(CronJobs, cluster.Namespace, CronJob("tick", "Allow", "work:ok", """ "successfulJobsHistoryLimit":1, """), default);

        await CreateOwnedJobAsync(cluster, cj, "tick-old", "work:ok");
        await WaitForAsync(async () => PodState.Condition(await cluster.Client.GetAsync(Jobs, cluster.Namespace, "tick-old", default), "Complete") is not null, "the first job complete");
        await Task.Delay(1100); // start times are in seconds
        await CreateOwnedJobAsync(cluster, cj, "tick-new", "work:ok");

        await WaitForAsync(async () => (await cluster.ListAsync(Jobs)).Select(j => j.Name()).SequenceEqual(["tick-new"]), "only the newest job kept");
    }

    private static JsonObject CronJob(string name, string policy, string image, string extra = "") => Json($$$"""
        {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"{{{name}}}"},
         "spec":{ {{{extra}}} "schedule":"* * * * *","concurrencyPolicy":"{{{policy}}}","suspend":true,
                  "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"{{{image}}}"}]} } } } } }
        """);

    private static async Task CreateOwnedJobAsync(ControllerCluster cluster, JsonObject cj, string name, string image)
    {
        var job = Json($$$"""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"{{{name}}}"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"{{{image}}}"}]} } } }""");
        job["metadata"]!["ownerReferences"] = new JsonArray(Owners.ControllerReference(cj, CronJobs));
        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, job, default);
    }

    /// <summary>Sets the last schedule time three minutes back, so that a run of "* * * * *" is due now.</summary>
    private static Task MakeDueAsync(ControllerCluster cluster, string name)
    {
        var due = ObjectFields.Timestamp(DateTimeOffset.UtcNow.AddMinutes(-3));
        return cluster.PatchAsync(CronJobs, cluster.Namespace, name, $$$"""{"status":{"lastScheduleTime":"{{{due}}}"} }""", "status");
    }
}
