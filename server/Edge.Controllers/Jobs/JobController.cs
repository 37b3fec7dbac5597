using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Jobs;

/// <summary>
/// Runs Jobs to completion (upstream <c>pkg/controller/job</c>, NonIndexed and Indexed modes):
/// keeps up to spec.parallelism pods running until spec.completions have succeeded, replaces
/// failed pods with exponential back-off until more than spec.backoffLimit have failed, fails a
/// Job that outlives activeDeadlineSeconds, stops the pods of a suspended Job, and deletes a
/// finished Job ttlSecondsAfterFinished later (upstream's separate TTL-after-finished loop).
/// </summary>
/// <remarks>
/// Upstream tracks terminated pods with <c>batch.kubernetes.io/job-tracking</c> finalizers so
/// that a pod removed before it was counted is not lost. Here pods are removed only by this loop
/// or by the garbage collector (after the Job is gone), so terminated pods are counted from the
/// pods that exist, and no finalizers are used. Not supported: podFailurePolicy, successPolicy, backoffLimitPerIndex, podReplacementPolicy, and counting
/// container restarts of restartPolicy OnFailure pods toward the back-off limit.
/// </remarks>
public sealed partial class JobController : Controller
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string LegacyJobNameLabel = "job-name";

    private static readonly ResourceType Jobs = KnownResources.Jobs;
    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _jobs;
    private readonly Informer _pods;
    private readonly Expectations _expectations;
    private readonly EventRecorder _events;
    private readonly JobControllerOptions _options;
    private readonly ConcurrentDictionary<string, BackoffRecord> _backoff = new(StringComparer.Ordinal);

    /// <summary>Failures seen since the last success, and when the latest was first seen (upstream <c>backoffRecord</c>).</summary>
    private sealed record BackoffRecord(int Failed, int Succeeded, int FailuresSinceSuccess, DateTimeOffset LastFailure);

    public JobController(InformerSet informers, ILoggerFactory loggers, TimeProvider time, JobControllerOptions? options = null)
        : base("job-controller", loggers.CreateLogger("job-controller"), time, workers: 2)
    {
        _options = options ?? new JobControllerOptions();
        _client = informers.Client;
        _jobs = informers.For(Jobs);
        _pods = informers.For(Pods);
        _expectations = new Expectations(time);
        _events = new EventRecorder(_client, "job-controller", Logger, time);
        _jobs.AddHandler(new InformerHandler(
            added: job => Enqueue(Informer.Key(job)),
            updated: (_, job) => Enqueue(Informer.Key(job)),
            deleted: job =>
            {
                _expectations.Forget(Informer.Key(job));
                _backoff.TryRemove(Informer.Key(job), out _);
            }));
        _pods.AddHandler(new InformerHandler(
            added: pod =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    _expectations.ObservedAdd(owner);
                    Enqueue(owner);
                }
            },
            updated: (old, pod) =>
            {
                if (OwnerKey(old) is { } previous && previous != OwnerKey(pod))
                {
                    Enqueue(previous);
                }

                if (OwnerKey(pod) is { } owner)
                {
                    Enqueue(owner);
                }
            },
            deleted: pod =>
            {
                if (OwnerKey(pod) is { } owner)
                {
                    _expectations.ObservedDelete(owner);
                    Enqueue(owner);
                }
            }));
    }

    private static string? OwnerKey(JsonObject pod) =>
        Owners.ControllerOf(pod) is { } reference && ObjectFields.String(reference, "kind") == "Job"
            ? Informer.Key(pod.Namespace(), ObjectFields.String(reference, "name") ?? "")
            : null;

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var job = _jobs.Get(key);
        if (job is null || job.DeletionTimestamp() is not null)
        {
            return;
        }

        if (FinishedCondition(job) is not null)
        {
            // A finished Job keeps no running pods; then only its time to live matters.
            var leftover = OwnedPods(job, _pods.List(job.Namespace())).Where(PodState.IsActive).ToList();
            if (leftover.Count > 0 && _expectations.Satisfied(key))
            {
                await DeletePodsAsync(job, key, leftover, cancellationToken);
            }

            await DeleteIfExpiredAsync(job, key, cancellationToken);
            return;
        }

        var now = Time.GetUtcNow();
        var spec = job["spec"];
        var pods = OwnedPods(job, _pods.List(job.Namespace()));
        var failed = pods.Count(p => PodState.Phase(p) == "Failed");
        var active = pods.Where(PodState.IsActive).ToList();
        var completions = ObjectFields.Long(spec, "completions") is { } c ? (int)c : (int?)null;
        // Indexed: what counts is the indexes that have succeeded, not the pods.
        var succeededIndexes = completions is { } n && IsIndexed(job) ? SucceededIndexes(pods, n) : null;
        var succeeded = succeededIndexes?.Count ?? pods.Count(p => PodState.Phase(p) == "Succeeded");
        var suspended = spec?["suspend"] is JsonValue s && s.TryGetValue<bool>(out var isSuspended) && isSuspended;
        var status = job["status"]?.DeepClone() as JsonObject ?? [];
        var startTime = ObjectFields.ParseTimestamp(ObjectFields.String(status, "startTime"));
        var wasSuspended = JobCondition(job, "Suspended") is { } sc && ObjectFields.String(sc, "status") == "True";
        if (!suspended && (startTime is null || wasSuspended))
        {
            // The deadline counts from the first start, and again from each resume.
            startTime = now;
            status["startTime"] = ObjectFields.Timestamp(now);
        }

        var failure = FailureOf(job, failed, startTime, suspended, now);
        var complete = failure is null && (completions is { } wanted ? succeeded >= wanted : succeeded > 0 && active.Count == 0);

        var created = 0;
        var deleted = new List<JsonObject>();
        if (_expectations.Satisfied(key))
        {
            if (failure is not null || complete || suspended)
            {
                deleted = active;
            }
            else
            {
                var parallelism = (int)(ObjectFields.Long(spec, "parallelism") ?? 1);
                // Work-queue Jobs (no completions) start nothing new once one pod has succeeded.
                var want = completions is { } total ? Math.Min(parallelism, total - succeeded) : succeeded > 0 ? active.Count : parallelism;
                if (succeededIndexes is not null && RedundantIndexed(active, succeededIndexes, completions!.Value) is { Count: > 0 } redundant)
                {
                    deleted = redundant;
                }
                else if (active.Count > want)
                {
                    active.Sort(PodState.CompareForDeletion);
                    deleted = active.Take(active.Count - want).ToList();
                }
                else if (active.Count < want && BackoffRemaining(key, failed, succeeded, now) is var wait && wait > TimeSpan.Zero)
                {
                    Queue.AddAfter(key, wait);
                }
                else if (active.Count < want)
                {
                    // The cache may lag the store: count again from the store before creating.
                    var fresh = OwnedPods(job, (await _client.ListAsync(Pods, job.Namespace(), cancellationToken)).Items);
                    var running = fresh.Where(PodState.IsActive).ToList();
                    var missing = want - running.Count;
                    if (missing > 0)
                    {
                        var indexes = succeededIndexes is null ? Enumerable.Repeat<int?>(null, missing).ToList()
                            : PendingIndexes(completions!.Value, succeededIndexes, running).Take(missing).Select(i => (int?)i).ToList();
                        created = await CreatePodsAsync(job, key, indexes, cancellationToken);
                    }
                }
            }

            if (deleted.Count > 0)
            {
                await DeletePodsAsync(job, key, deleted, cancellationToken);
            }
        }

        var remaining = active.Except(deleted).ToList();
        status["active"] = remaining.Count + created;
        status["ready"] = remaining.Count(PodState.IsReady);
        status["succeeded"] = succeeded;
        status["failed"] = failed;
        if (succeededIndexes is { Count: > 0 })
        {
            status["completedIndexes"] = CompressIndexes(succeededIndexes);
        }
        SetSuspension(job, status, suspended, wasSuspended, now);
        if (failure is { } f)
        {
            SetCondition(status, "FailureTarget", "True", f.Reason, f.Message, now);
            SetCondition(status, "Failed", "True", f.Reason, f.Message, now);
            _events.Warning(job, Jobs, f.Reason, f.Message);
        }
        else if (complete)
        {
            SetCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            SetCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            status["completionTime"] = ObjectFields.Timestamp(now);
            _events.Normal(job, Jobs, "Completed", "Job completed");
        }
        else if (!suspended && ObjectFields.Long(spec, "activeDeadlineSeconds") is { } deadline && startTime is { } start)
        {
            Queue.AddAfter(key, start.AddSeconds(deadline) - now + TimeSpan.FromMilliseconds(50));
        }

        if (!JsonNode.DeepEquals(job["status"], status))
        {
            var updated = (JsonObject)job.DeepClone();
            updated["status"] = status;
            await _client.UpdateAsync(Jobs, updated, "status", cancellationToken);
        }
    }

    private static List<JsonObject> OwnedPods(JsonObject job, IEnumerable<JsonObject> pods) =>
        pods.Where(p => Owners.IsControlledBy(p, job)).ToList();

    private static (string Reason, string Message)? FailureOf(JsonObject job, int failed, DateTimeOffset? startTime, bool suspended, DateTimeOffset now)
    {
        if (failed > (ObjectFields.Long(job["spec"], "backoffLimit") ?? 6))
        {
            return ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }

        if (!suspended && ObjectFields.Long(job["spec"], "activeDeadlineSeconds") is { } deadline && startTime is { } start && now >= start.AddSeconds(deadline))
        {
            return ("DeadlineExceeded", "Job was active longer than specified deadline");
        }

        return null;
    }

    /// <summary>How long a replacement must still wait: base × 2^(failures since the last success − 1), capped.</summary>
    private TimeSpan BackoffRemaining(string key, int failed, int succeeded, DateTimeOffset now)
    {
        var record = _backoff.AddOrUpdate(key,
            _ => new BackoffRecord(failed, succeeded, failed, now),
            (_, r) => succeeded > r.Succeeded ? new BackoffRecord(failed, succeeded, failed - r.Failed, now)
                : failed > r.Failed ? new BackoffRecord(failed, succeeded, r.FailuresSinceSuccess + failed - r.Failed, now)
                : r);
        if (record.FailuresSinceSuccess <= 0)
        {
            return TimeSpan.Zero;
        }

        var delay = TimeSpan.FromTicks((long)Math.Min(
            _options.PodFailureBackoff.Ticks * Math.Pow(2, Math.Min(record.FailuresSinceSuccess - 1, 30)),
            _options.MaxPodFailureBackoff.Ticks));
        return record.LastFailure + delay - now;
    }

    /// <summary>Creates one pod per entry: of that completion index, or of none (NonIndexed).</summary>
    private async Task<int> CreatePodsAsync(JsonObject job, string key, List<int?> indexes, CancellationToken cancellationToken)
    {
        var count = indexes.Count;
        _expectations.Expect(key, count, 0);
        var results = await Task.WhenAll(indexes.Select(i => CreatePodAsync(job, i, cancellationToken)));
        var failure = results.FirstOrDefault(r => r.Error is not null).Error;
        var created = results.Count(r => r.Error is null);
        if (failure is not null)
        {
            _expectations.Lower(key, count - created, 0);
            _events.Warning(job, Jobs, "FailedCreate", $"Error creating: {failure.Message}");
            throw new RetryLaterException($"creating pods failed: {failure.Message}");
        }

        return created;
    }

    private async Task<(string? Name, ApiException? Error)> CreatePodAsync(JsonObject job, int? index, CancellationToken cancellationToken)
    {
        var template = job["spec"]?["template"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata["generateName"] = job.Name() + "-";
        metadata["namespace"] = job.Namespace();
        var labels = metadata["labels"] as JsonObject ?? [];
        labels[ControllerUidLabel] ??= job.Uid();
        labels[JobNameLabel] ??= job.Name();
        labels[LegacyControllerUidLabel] ??= job.Uid();
        labels[LegacyJobNameLabel] ??= job.Name();
        metadata["labels"] = labels;
        metadata["ownerReferences"] = new JsonArray(Owners.ControllerReference(job, Jobs));
        var podSpec = template["spec"]?.DeepClone() as JsonObject ?? [];
        if (index is { } i)
        {
            AddIndex(job, metadata, podSpec, i);
        }

        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = podSpec,
        };
        try
        {
            var made = await _client.CreateAsync(Pods, job.Namespace(), pod, cancellationToken);
            _events.Normal(job, Jobs, "SuccessfulCreate", $"Created pod: {made.Name()}");
            return (made.Name(), null);
        }
        catch (ApiException e) when (e.Status.Code is >= 400 and < 500)
        {
            return (null, e);
        }
    }

    private async Task DeletePodsAsync(JsonObject job, string key, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        _expectations.Expect(key, 0, pods.Count);
        foreach (var pod in pods)
        {
            if ((await PodDeletion.DeleteExpectedAsync(_client, pod, _expectations, key, cancellationToken)).Deleted)
            {
                _events.Normal(job, Jobs, "SuccessfulDelete", $"Deleted pod: {pod.Name()}");
            }
        }
    }
}
