using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Jobs;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.Jobs;

/// <summary>Jobs through the in-process API; the hollow kubelet runs their pods and makes them exit.</summary>
public sealed class JobTests
{
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType Jobs = KnownResources.Jobs;
    private static readonly ResourceType Events = KnownResources.Events;

    private static JsonObject Job(string name, string image, string spec = "") => Json($$$"""
        {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"{{{name}}}"},
         "spec":{ {{{spec}}} "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"{{{image}}}"}]} } } }
        """);

    private static JsonObject? Condition(JsonObject job, string type) =>
        PodState.Condition(job, type) is { } c && ObjectFields.String(c, "status") == "True" ? c : null;

    private static async Task<JsonObject> WaitForConditionAsync(ControllerCluster cluster, string name, string type)
    {
        JsonObject? job = null;
        await WaitForAsync(async () =>
        {
            job = await cluster.Client.GetAsync(Jobs, cluster.Namespace, name, default);
            return Condition(job, type) is not null;
        }, $"condition {type} of job {name}");
        return job!;
    }

    [Fact]
    public async Task Job_ThreeCompletionsParallelismTwo_RunsAtMostTwoAtOnceAndCompletes()
    {
        await using var cluster = await StartAsync();
        cluster.ExitCodes["work:ok"] = 0;
        var running = new Dictionary<string, bool>();
        var most = 0;
        using var watching = new CancellationTokenSource();
        var revision = (await cluster.Client.ListAsync(Pods, cluster.Namespace, default)).Revision;
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in cluster.Client.WatchAsync(Pods, cluster.Namespace, revision, watching.Token))
                {
                    running[change.Object.Name()!] = change.Type != ObjectEventType.Deleted && PodState.IsActive(change.Object);
                    most = Math.Max(most, running.Values.Count(r => r));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var created = await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("calc", "work:ok", """ "completions":3,"parallelism":2, """), default);

        var job = await WaitForConditionAsync(cluster, "calc", "Complete");
        await Task.Delay(300);
        await watching.CancelAsync();
        await watcher;
        Assert.Equal(2, most);
        Assert.Equal(3, ObjectFields.Long(job["status"], "succeeded"));
        Assert.Equal(0, ObjectFields.Long(job["status"], "active"));
        Assert.NotNull(Condition(job, "SuccessCriteriaMet"));
        Assert.NotNull(ObjectFields.String(job["status"], "startTime"));
        Assert.NotNull(ObjectFields.String(job["status"], "completionTime"));
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Succeeded", PodState.Phase(p)));
        Assert.All(pods, p => Assert.True(Owners.IsControlledBy(p, created)));
        Assert.All(pods, p => Assert.Equal(created.Uid(), ObjectFields.String(p.Labels(), JobController.ControllerUidLabel)));
        Assert.All(pods, p => Assert.Equal("calc", ObjectFields.String(p.Labels(), JobController.LegacyJobNameLabel)));
    }

    [Fact]
    public async Task Job_IndexedThreeCompletions_RunsEachIndexOnceAndReportsCompletedIndexes()
    {
        await using var cluster = await StartAsync();
        cluster.ExitCodes["work:ok"] = 0;

        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("shards", "work:ok", """ "completions":3,"parallelism":3,"completionMode":"Indexed", """), default);

        var job = await WaitForConditionAsync(cluster, "shards", "Complete");
        Assert.Equal("0-2", ObjectFields.String(job["status"], "completedIndexes"));
        Assert.Equal(3, ObjectFields.Long(job["status"], "succeeded"));
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(["0", "1", "2"], pods.Select(p => ObjectFields.String(p["metadata"]?["annotations"], JobController.CompletionIndexAnnotation)).Order(StringComparer.Ordinal));
        Assert.All(pods, p => Assert.StartsWith($"shards-{ObjectFields.String(p.Labels(), JobController.CompletionIndexAnnotation)}-", p.Name()));
        Assert.All(pods, p => Assert.Contains("JOB_COMPLETION_INDEX", p["spec"]!["containers"]![0]!["env"]!.ToJsonString()));
    }

    [Fact]
    public async Task Job_PodsFailWithBackoffLimitOne_FailsWithBackoffLimitExceededAfterTwoFailedPods()
    {
        await using var cluster = await StartAsync();
        cluster.ExitCodes["work:broken"] = 1;

        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("flaky", "work:broken", """ "backoffLimit":1, """), default);

        var job = await WaitForConditionAsync(cluster, "flaky", "Failed");
        Assert.Equal("BackoffLimitExceeded", ObjectFields.String(Condition(job, "Failed"), "reason"));
        Assert.NotNull(Condition(job, "FailureTarget"));
        await Task.Delay(500);
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("Failed", PodState.Phase(p)));
        job = await cluster.Client.GetAsync(Jobs, cluster.Namespace, "flaky", default);
        Assert.Equal(2, ObjectFields.Long(job["status"], "failed"));
        Assert.Null(Condition(job, "Complete"));
    }

    [Fact]
    public async Task Job_ActiveDeadlineOneSecond_FailsWithDeadlineExceededAndDeletesItsPods()
    {
        await using var cluster = await StartAsync();

        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("slow", "server:1", """ "parallelism":2,"completions":2,"activeDeadlineSeconds":1, """), default);

        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 2, "2 running pods");
        var job = await WaitForConditionAsync(cluster, "slow", "Failed");
        Assert.Equal("DeadlineExceeded", ObjectFields.String(Condition(job, "Failed"), "reason"));
        var took = ObjectFields.ParseTimestamp(ObjectFields.String(Condition(job, "Failed"), "lastTransitionTime"))!.Value -
            ObjectFields.ParseTimestamp(ObjectFields.String(job["status"], "startTime"))!.Value;
        Assert.InRange(took.TotalSeconds, 1, 3);
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 0, "pods deleted");
        await WaitForAsync(async () => ObjectFields.Long((await cluster.Client.GetAsync(Jobs, cluster.Namespace, "slow", default))["status"], "active") == 0, "active 0");
    }

    [Fact]
    public async Task Job_TtlZeroAfterFinished_DeletesTheJobAndItsPods()
    {
        await using var cluster = await StartAsync();
        cluster.ExitCodes["work:ok"] = 0;

        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("once", "work:ok", """ "ttlSecondsAfterFinished":0, """), default);

        await WaitForAsync(async () => (await cluster.ListAsync(Events)).Any(e => ObjectFields.String(e, "reason") == "Completed"), "the Completed event");
        await WaitForAsync(async () =>
        {
            try
            {
                await cluster.Client.GetAsync(Jobs, cluster.Namespace, "once", default);
                return false;
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                return true;
            }
        }, "the job deleted");
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 0, "its pod collected");
    }

    [Fact]
    public async Task Job_Suspended_DeletesActivePodsAndResumesWhenUnsuspended()
    {
        await using var cluster = await StartAsync();

        await cluster.Client.CreateAsync(Jobs, cluster.Namespace, Job("paused", "server:1", """ "parallelism":2,"completions":4, """), default);
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 2, "2 pods");

        await cluster.PatchAsync(Jobs, cluster.Namespace, "paused", """{"spec":{"suspend":true}}""");

        await WaitForConditionAsync(cluster, "paused", "Suspended");
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 0, "pods deleted");
        await cluster.PatchAsync(Jobs, cluster.Namespace, "paused", """{"spec":{"suspend":false}}""");
        await WaitForAsync(async () => (await cluster.ListAsync(Pods)).Count == 2, "2 pods again");
        // The pods are created before the status says so.
        await WaitForAsync(async () => ObjectFields.String(PodState.Condition(await cluster.Client.GetAsync(Jobs, cluster.Namespace, "paused", default), "Suspended"), "reason") == "JobResumed", "condition Suspended False, JobResumed");
    }
}
