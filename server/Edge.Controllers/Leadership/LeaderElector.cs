using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Leadership;

/// <summary>Lease timings, upstream's leader-election defaults.</summary>
public sealed record LeaderElectionOptions
{
    public string Namespace { get; init; } = "kube-system";

    public string LeaseName { get; init; } = "edge-control-plane";

    /// <summary>How long a holder's claim lasts without renewal; a standby takes over after it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that could not renew for this long stops leading (before anyone may take over).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the holder renews and a standby tries.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Leader election on a coordination.k8s.io Lease (client-go's <c>leaderelection</c>): when
/// several servers share one store, only the holder runs the control loops. Taking over is a
/// write pinned to the resourceVersion that showed the lease expired, so two standbys cannot
/// both win; a leader that cannot renew in time stops its loops before its lease can pass on.
/// </summary>
public sealed partial class LeaderElector(IClusterClient client, LeaderElectionOptions options, ILogger logger, TimeProvider time)
{
    private static readonly ResourceType Leases = KnownResources.Leases;
    private volatile bool _leading;

    public string Identity { get; } = $"{Environment.MachineName}_{Guid.NewGuid():N}";

    public bool IsLeader => _leading;

    /// <summary>
    /// Runs <paramref name="lead"/> whenever this process holds the lease: started on acquiring,
    /// cancelled (and awaited) on losing it, started again on winning it back.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await TryAcquireOrRenewAsync(cancellationToken))
            {
                await DelayAsync(options.RetryPeriod, cancellationToken);
                continue;
            }

            _leading = true;
            LeaderLog.Acquired(logger, Identity, options.LeaseName);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
            var lastRenewal = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
            {
                await DelayAsync(options.RetryPeriod, cancellationToken);
                if (await TryAcquireOrRenewAsync(cancellationToken))
                {
                    lastRenewal = time.GetUtcNow();
                }
                else if (time.GetUtcNow() - lastRenewal > options.RenewDeadline || await HeldByOtherAsync(cancellationToken))
                {
                    break;
                }
            }

            _leading = false;
            await leading.CancelAsync();
            try
            {
                await work;
            }
            catch (OperationCanceledException)
            {
                // The loops stopped as asked.
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                LeaderLog.Lost(logger, Identity, options.LeaseName);
            }
        }
    }

    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            JsonObject lease;
            try
            {
                lease = await client.GetAsync(Leases, options.Namespace, options.LeaseName, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                await client.CreateAsync(Leases, options.Namespace, new JsonObject
                {
                    ["apiVersion"] = "coordination.k8s.io/v1",
                    ["kind"] = "Lease",
                    ["metadata"] = new JsonObject { ["name"] = options.LeaseName, ["namespace"] = options.Namespace },
                    ["spec"] = Spec(now, acquired: now, transitions: 0),
                }, cancellationToken);
                return true;
            }

            var spec = lease["spec"] as JsonObject;
            var holder = ObjectFields.String(spec, "holderIdentity");
            var renewed = ObjectFields.ParseTimestamp(ObjectFields.String(spec, "renewTime")) ?? DateTimeOffset.MinValue;
            var duration = TimeSpan.FromSeconds(ObjectFields.Long(spec, "leaseDurationSeconds") ?? (long)options.LeaseDuration.TotalSeconds);
            var transitions = ObjectFields.Long(spec, "leaseTransitions") ?? 0;
            if (holder != Identity && !string.IsNullOrEmpty(holder) && renewed + duration > now)
            {
                return false;
            }

            var acquired = holder == Identity ? ObjectFields.ParseTimestamp(ObjectFields.String(spec, "acquireTime")) ?? now : now;
            var updated = (JsonObject)lease.DeepClone();
            updated["spec"] = Spec(now, acquired, holder == Identity ? transitions : transitions + 1);
            // Pinned to the version read: a rival that wrote in between wins, this write gets 409.
            await client.UpdateAsync(Leases, updated, null, cancellationToken);
            return true;
        }
        catch (ApiException e) when (e.Status.Code is 409 or 404 or 503 or 500)
        {
            return false;
        }
    }

    private async Task<bool> HeldByOtherAsync(CancellationToken cancellationToken)
    {
        try
        {
            var lease = await client.GetAsync(Leases, options.Namespace, options.LeaseName, cancellationToken);
            return ObjectFields.String(lease["spec"], "holderIdentity") is { Length: > 0 } holder && holder != Identity;
        }
        catch (ApiException)
        {
            return false;
        }
    }

    private JsonObject Spec(DateTimeOffset now, DateTimeOffset acquired, long transitions) => new()
    {
        ["holderIdentity"] = Identity,
        ["leaseDurationSeconds"] = (long)Math.Ceiling(options.LeaseDuration.TotalSeconds),
        ["acquireTime"] = MicroTime(acquired),
        ["renewTime"] = MicroTime(now),
        ["leaseTransitions"] = transitions,
    };

    /// <summary>metav1.MicroTime: RFC 3339 with microseconds.</summary>
    private static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        await Task.Delay(delay, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private static partial class LeaderLog
    {
        [LoggerMessage(1, LogLevel.Information, "{Identity} now leads {Lease}: the scheduler and controllers run here")]
        public static partial void Acquired(ILogger logger, string identity, string lease);

        [LoggerMessage(2, LogLevel.Warning, "{Identity} lost {Lease}: the scheduler and controllers stop here")]
        public static partial void Lost(ILogger logger, string identity, string lease);
    }
}
