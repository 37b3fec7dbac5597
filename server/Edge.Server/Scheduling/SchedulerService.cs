using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Edge.Scheduler;
using Edge.Scheduler.Model;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Scheduling;

/// <summary>
/// The scheduler inside edge-server: fed by the shared informers (pods, nodes, priority classes),
/// binding through <c>pods/binding</c>, evicting preemption victims, and writing the
/// <c>PodScheduled</c> condition and the <c>Scheduled</c> / <c>FailedScheduling</c> events that
/// <c>kubectl describe pod</c> shows.
/// </summary>
public sealed class SchedulerService : IPodBinder, IPodEvictor, ISchedulingReporter
{
    private static readonly ResourceType Pods = KnownResources.Pods;

    private readonly IClusterClient _client;
    private readonly Informer _pods;
    private readonly EventRecorder _events;
    private readonly PodScheduler _scheduler;
    private readonly TimeProvider _time;

    /// <summary>Registers with the informers; call before they start.</summary>
    public SchedulerService(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
    {
        _client = informers.Client;
        _time = time;
        var logger = loggers.CreateLogger("scheduler");
        _events = new EventRecorder(_client, "default-scheduler", logger, time);
        _scheduler = new PodScheduler(this, this, this, new SchedulerOptions(), time, logger);
        _pods = informers.For(Pods);
        _pods.AddHandler(new InformerHandler(
            added: _scheduler.AddOrUpdatePod,
            updated: (_, pod) => _scheduler.AddOrUpdatePod(pod),
            deleted: pod => _scheduler.RemovePod(pod.Namespace() ?? "", pod.Name() ?? "")));
        informers.For(KnownResources.Nodes).AddHandler(new InformerHandler(
            added: _scheduler.AddOrUpdateNode,
            updated: (_, node) => _scheduler.AddOrUpdateNode(node),
            deleted: node => _scheduler.RemoveNode(node.Name() ?? "")));
        informers.For(KnownResources.PriorityClasses).AddHandler(new InformerHandler(
            added: _scheduler.AddOrUpdatePriorityClass,
            updated: (_, pc) => _scheduler.AddOrUpdatePriorityClass(pc),
            deleted: pc => _scheduler.RemovePriorityClass(pc.Name() ?? "")));
    }

    public Task RunAsync(CancellationToken cancellationToken) => _scheduler.RunAsync(cancellationToken);

    public Task BindAsync(PodRef pod, string nodeName, CancellationToken cancellationToken) =>
        _client.BindAsync(pod.Namespace, pod.Name, pod.Uid, nodeName, cancellationToken);

    public async Task EvictAsync(PodRef victim, PodRef preemptor, string nodeName, CancellationToken cancellationToken)
    {
        if (_pods.Get(victim.Namespace, victim.Name) is { } pod)
        {
            _events.Normal(pod, Pods, "Preempted", $"Preempted by pod {preemptor.Uid} on node {nodeName}");
        }

        try
        {
            await _client.DeleteAsync(Pods, victim.Namespace, victim.Name, new DeleteRequest { PreconditionUid = victim.Uid }, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            // Already gone: the room is free.
        }
    }

    public Task ScheduledAsync(PodRef pod, string nodeName, string message, CancellationToken cancellationToken)
    {
        if (_pods.Get(pod.Namespace, pod.Name) is { } current)
        {
            _events.Normal(current, Pods, "Scheduled", message);
        }

        return Task.CompletedTask;
    }

    public async Task UnschedulableAsync(PodRef pod, string message, string? nominatedNodeName, CancellationToken cancellationToken)
    {
        if (_pods.Get(pod.Namespace, pod.Name) is not { } current || current.Uid() != pod.Uid)
        {
            return;
        }

        _events.Warning(current, Pods, "FailedScheduling", message);
        var updated = (JsonObject)current.DeepClone();
        var podStatus = updated["status"] as JsonObject ?? [];
        updated["status"] = podStatus;
        var conditions = podStatus["conditions"] as JsonArray ?? [];
        podStatus["conditions"] = conditions;
        var scheduled = conditions.OfType<JsonObject>().FirstOrDefault(c => ObjectFields.String(c, "type") == "PodScheduled");
        if (scheduled is null)
        {
            scheduled = new JsonObject { ["type"] = "PodScheduled" };
            conditions.Add((JsonNode)scheduled);
        }

        if (ObjectFields.String(scheduled, "status") != "False")
        {
            scheduled["lastTransitionTime"] = ObjectFields.Timestamp(_time.GetUtcNow());
        }

        scheduled["status"] = "False";
        scheduled["reason"] = "Unschedulable";
        scheduled["message"] = message;
        scheduled["lastProbeTime"] = null;
        if (nominatedNodeName is not null)
        {
            if (nominatedNodeName.Length == 0)
            {
                podStatus.Remove("nominatedNodeName");
            }
            else
            {
                podStatus["nominatedNodeName"] = nominatedNodeName;
            }
        }

        if (JsonNode.DeepEquals(updated["status"], current["status"]))
        {
            return;
        }

        try
        {
            await _client.UpdateAsync(Pods, updated, "status", cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code is 404 or 409)
        {
            // Gone or changed: the next attempt reports again.
        }
    }
}
