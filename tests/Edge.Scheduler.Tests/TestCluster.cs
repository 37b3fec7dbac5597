using System.Text.Json.Nodes;
using Edge.Scheduler.Model;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Scheduler.Tests;

/// <summary>A scheduler with an in-memory host that binds, evicts and reports synchronously, plus object builders.</summary>
internal sealed class TestCluster : IPodBinder, IPodEvictor, ISchedulingReporter
{
    public TestCluster(int seed = 1, SchedulerOptions? options = null)
    {
        Scheduler = new PodScheduler(this, this, this, (options ?? new SchedulerOptions()) with { Seed = seed }, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public PodScheduler Scheduler { get; }
    public Dictionary<string, string> Bindings { get; } = [];
    public List<(string Pod, string Message, string? Nominated)> Failures { get; } = [];
    public List<string> Scheduled { get; } = [];
    public List<(string Victim, string Preemptor, string Node)> Evictions { get; } = [];
    /// <summary>Set to make the next binds throw.</summary>
    public bool FailBinds { get; set; }

    public Task BindAsync(PodRef pod, string nodeName, CancellationToken cancellationToken)
    {
        if (FailBinds)
            throw new InvalidOperationException("conflict");
        Bindings[pod.ToString()] = nodeName;
        return Task.CompletedTask;
    }

    public Task EvictAsync(PodRef victim, PodRef preemptor, string nodeName, CancellationToken cancellationToken)
    {
        Evictions.Add((victim.ToString(), preemptor.ToString(), nodeName));
        return Task.CompletedTask;
    }

    public Task ScheduledAsync(PodRef pod, string nodeName, string message, CancellationToken cancellationToken)
    {
        Scheduled.Add(message);
        return Task.CompletedTask;
    }

    public Task UnschedulableAsync(PodRef pod, string message, string? nominatedNodeName, CancellationToken cancellationToken)
    {
        Failures.Add((pod.ToString(), message, nominatedNodeName));
        return Task.CompletedTask;
    }

    /// <summary>Runs cycles until no pod is active; returns the attempts.</summary>
    public List<SchedulingAttempt> Drain()
    {
        var attempts = new List<SchedulingAttempt>();
        while (Scheduler.ScheduleOne() is { } attempt)
        {
            Assert.True(attempt.Completion.IsCompletedSuccessfully);
            attempts.Add(attempt);
        }
        return attempts;
    }

    public static JsonObject Node(string name, string cpu = "4", string memory = "8Gi", int pods = 110,
        JsonObject? labels = null, JsonArray? taints = null, JsonArray? images = null, bool unschedulable = false)
    {
        labels ??= [];
        labels["kubernetes.io/hostname"] = name;
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject { ["taints"] = taints ?? [], ["unschedulable"] = unschedulable },
            ["status"] = new JsonObject
            {
                ["allocatable"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = pods.ToString(), ["ephemeral-storage"] = "100Gi" },
                ["images"] = images ?? [],
            },
        };
    }

    public static JsonObject Taint(string key, string value, string effect) =>
        new() { ["key"] = key, ["value"] = value, ["effect"] = effect };

    public static JsonObject Pod(string name, string cpu = "100m", string memory = "128Mi", string ns = "default",
        JsonObject? labels = null, int? priority = null, string? nodeName = null, JsonObject? spec = null)
    {
        spec ??= [];
        spec["containers"] ??= new JsonArray(new JsonObject
        {
            ["name"] = "c",
            ["image"] = "app:1",
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } },
        });
        if (priority is { } p)
            spec["priority"] = p;
        if (nodeName is not null)
            spec["nodeName"] = nodeName;
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["uid"] = "uid-" + name, ["labels"] = labels ?? [] },
            ["spec"] = spec,
        };
    }

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
