using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.CronJobs;

/// <summary>
/// Starts a Job for each scheduled time of a CronJob (upstream <c>pkg/controller/cronjob</c>,
/// the v2 loop): only the most recent missed time runs, named
/// <c>&lt;cronjob&gt;-&lt;minutes since the epoch&gt;</c> so a time never runs twice; concurrencyPolicy
/// Allow / Forbid / Replace; startingDeadlineSeconds; suspend; timeZone; keeps the newest
/// successful and failed Jobs up to their history limits; status lists the active Jobs and the
/// last schedule and success times.
/// </summary>
public sealed class CronJobController : Controller
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    private static readonly ResourceType CronJobs = KnownResources.CronJobs;
    private static readonly ResourceType Jobs = KnownResources.Jobs;

    private readonly IClusterClient _client;
    private readonly Informer _cronJobs;
    private readonly Informer _jobs;
    private readonly EventRecorder _events;

    public CronJobController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("cronjob-controller", loggers.CreateLogger("cronjob-controller"), time)
    {
        _client = informers.Client;
        _cronJobs = informers.For(CronJobs);
        _jobs = informers.For(Jobs);
        _events = new EventRecorder(_client, "cronjob-controller", Logger, time);
        _cronJobs.AddHandler(new InformerHandler(
            added: cj => Enqueue(Informer.Key(cj)),
            updated: (_, cj) => Enqueue(Informer.Key(cj))));
        _jobs.AddHandler(new InformerHandler(
            added: JobChanged,
            updated: (_, job) => JobChanged(job),
            deleted: JobChanged));
    }

    private void JobChanged(JsonObject job)
    {
        if (Owners.ControllerOf(job) is { } reference && ObjectFields.String(reference, "kind") == "CronJob")
        {
            Enqueue(Informer.Key(job.Namespace(), ObjectFields.String(reference, "name") ?? ""));
        }
    }

    /// <summary>The Job's true Complete or Failed condition type, if it finished.</summary>
    private static string? Finished(JsonObject job) =>
        new[] { "Complete", "Failed" }.FirstOrDefault(t => PodState.Condition(job, t) is { } c && ObjectFields.String(c, "status") == "True");

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var cj = _cronJobs.Get(key);
        if (cj is null || cj.DeletionTimestamp() is not null)
        {
            return;
        }

        var now = Time.GetUtcNow();
        var jobs = _jobs.List(cj.Namespace()).Where(j => Owners.IsControlledBy(j, cj) && j.DeletionTimestamp() is null).ToList();
        var active = jobs.Where(j => Finished(j) is null).ToList();
        var status = cj["status"]?.DeepClone() as JsonObject ?? [];
        var previouslyActive = (status["active"] as JsonArray ?? []).Select(r => ObjectFields.String(r, "uid")).ToHashSet(StringComparer.Ordinal);
        foreach (var job in jobs.Where(j => Finished(j) is not null && previouslyActive.Contains(j.Uid())))
        {
            _events.Normal(cj, CronJobs, "SawCompletedJob", $"Saw completed job: {job.Name()}, condition: {Finished(job)}");
        }

        var lastSuccess = jobs.Where(j => Finished(j) == "Complete")
            .Select(j => ObjectFields.ParseTimestamp(ObjectFields.String(j["status"], "completionTime"))).Max();
        if (lastSuccess is { } success)
        {
            status["lastSuccessfulTime"] = ObjectFields.Timestamp(success);
        }

        await CleanUpHistoryAsync(cj, jobs, cancellationToken);
        var started = await RunScheduleAsync(cj, key, status, active, now, cancellationToken);
        if (started is not null)
        {
            active.Add(started);
        }

        status["active"] = new JsonArray([.. active.Select(j => (JsonNode)Reference(j))]);
        if (!JsonNode.DeepEquals(cj["status"], status))
        {
            var updated = (JsonObject)cj.DeepClone();
            updated["status"] = status;
            await _client.UpdateAsync(CronJobs, updated, "status", cancellationToken);
        }
    }

    /// <summary>Starts the Job of the most recent missed time, if it should run now; returns it.</summary>
    private async Task<JsonObject?> RunScheduleAsync(
        JsonObject cj, string key, JsonObject status, List<JsonObject> active, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var spec = cj["spec"];
        if (spec?["suspend"] is JsonValue s && s.TryGetValue<bool>(out var suspended) && suspended)
        {
            return null;
        }

        CronSchedule schedule;
        TimeZoneInfo zone;
        try
        {
            schedule = CronSchedule.Parse(ObjectFields.String(spec, "schedule") ?? "");
            zone = ObjectFields.String(spec, "timeZone") is { Length: > 0 } id ? TimeZoneInfo.FindSystemTimeZoneById(id) : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is FormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Nothing to retry until the CronJob changes.
            _events.Warning(cj, CronJobs, "InvalidSchedule", $"invalid schedule: {ObjectFields.String(spec, "schedule")}: {e.Message}");
            return null;
        }

        var earliest = ObjectFields.ParseTimestamp(ObjectFields.String(status, "lastScheduleTime"))
            ?? ObjectFields.ParseTimestamp(ObjectFields.String(cj["metadata"], "creationTimestamp")) ?? now;
        var deadline = ObjectFields.Long(spec, "startingDeadlineSeconds");
        if (deadline is { } d && now.AddSeconds(-d) > earliest)
        {
            earliest = now.AddSeconds(-d);
        }

        DateTimeOffset? scheduled = null;
        for (var t = schedule.Next(earliest, zone); t is { } next && next <= now; t = schedule.Next(next, zone))
        {
            scheduled = next;
        }

        if (schedule.Next(now, zone) is { } upcoming)
        {
            Queue.AddAfter(key, upcoming - now + TimeSpan.FromMilliseconds(100));
        }

        if (scheduled is not { } time)
        {
            return null;
        }

        var name = $"{cj.Name()}-{time.ToUnixTimeSeconds() / 60}";
        if (_jobs.Get(cj.Namespace(), name) is not null)
        {
            status["lastScheduleTime"] = ObjectFields.Timestamp(time);
            return null;
        }

        var policy = ObjectFields.String(spec, "concurrencyPolicy") ?? "Allow";
        if (policy == "Forbid" && active.Count > 0)
        {
            // Not recorded as scheduled: the time may still start once the active Job ends (within the deadline).
            _events.Normal(cj, CronJobs, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return null;
        }

        if (policy == "Replace")
        {
            foreach (var job in active.ToList())
            {
                await DeleteJobAsync(cj, job, cancellationToken);
                active.Remove(job);
            }
        }

        JsonObject created;
        try
        {
            created = await _client.CreateAsync(Jobs, cj.Namespace(), NewJob(cj, name, time), cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code == 409)
        {
            // Created by an earlier pass whose Job the cache has not shown yet.
            status["lastScheduleTime"] = ObjectFields.Timestamp(time);
            return null;
        }

        _events.Normal(cj, CronJobs, "SuccessfulCreate", $"Created job {name}");
        status["lastScheduleTime"] = ObjectFields.Timestamp(time);
        return created;
    }

    private static JsonObject NewJob(JsonObject cj, string name, DateTimeOffset scheduled)
    {
        var template = cj["spec"]?["jobTemplate"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata["name"] = name;
        metadata["namespace"] = cj.Namespace();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[ScheduledTimestampAnnotation] = ObjectFields.Timestamp(scheduled);
        metadata["annotations"] = annotations;
        metadata["ownerReferences"] = new JsonArray(Owners.ControllerReference(cj, CronJobs));
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone(),
        };
    }

    private static JsonObject Reference(JsonObject job) => new()
    {
        ["apiVersion"] = "batch/v1",
        ["kind"] = "Job",
        ["name"] = job.Name(),
        ["namespace"] = job.Namespace(),
        ["uid"] = job.Uid(),
    };

    /// <summary>Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1).</summary>
    private async Task CleanUpHistoryAsync(JsonObject cj, List<JsonObject> jobs, CancellationToken cancellationToken)
    {
        foreach (var (type, field, fallback) in new[] { ("Complete", "successfulJobsHistoryLimit", 3L), ("Failed", "failedJobsHistoryLimit", 1L) })
        {
            var limit = ObjectFields.Long(cj["spec"], field) ?? fallback;
            var finished = jobs.Where(j => Finished(j) == type)
                .OrderByDescending(j => ObjectFields.String(j["status"], "startTime") ?? ObjectFields.String(j["metadata"], "creationTimestamp"), StringComparer.Ordinal)
                .ToList();
            foreach (var job in finished.Skip((int)Math.Max(limit, 0)))
            {
                await DeleteJobAsync(cj, job, cancellationToken);
            }
        }
    }

    private async Task DeleteJobAsync(JsonObject cj, JsonObject job, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteAsync(Jobs, job.Namespace(), job.Name()!,
                new DeleteRequest { PropagationPolicy = "Background", PreconditionUid = job.Uid() }, cancellationToken);
            _events.Normal(cj, CronJobs, "SuccessfulDelete", $"Deleted job {job.Name()}");
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            // Gone already.
        }
    }
}
