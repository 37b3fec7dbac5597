using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Bench.Api;
using Edge.Scheduler;
using Edge.Scheduler.Model;

namespace Edge.Bench.Scheduler;

/// <summary>
/// The scheduler in-process: clusters of 1,000 and 5,000 nodes (4 cpu, 8Gi, 110 pods, 3 zones,
/// some tainted, images), 10,000 pending pods (plain, nodeSelector, zone spread, hostname
/// anti-affinity) enqueued at once and scheduled by <see cref="PodScheduler.RunAsync"/>
/// through an in-memory binder. Prints pods/s and time from enqueue to bound; then, on the
/// loaded cluster, the time to bind of pods arriving at a steady 1,000/s (half the goal), which
/// is the latency a user sees when the scheduler is not working through a backlog.
/// Then the published edge-server end to end (<see cref="ApplyToBoundBench"/>).
/// Usage: Edge.Bench scheduler [--quick] [--apply-only]
/// </summary>
public static class SchedulerBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var pods = quick ? 3_000 : 10_000;
        // Few enough that the 1,000-node cluster (about 75% full after the batch) still has room.
        var paced = quick ? 500 : 1_000;
        Console.WriteLine($"Scheduler benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores{(quick ? ", quick" : "")}");
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"{pods:N0} pods enqueued at once: 50% plain, 20% nodeSelector, 20% zone spread (DoNotSchedule), 10% hostname anti-affinity; binder in memory.");
        Console.WriteLine();

        // --apply-only: just the end-to-end part through the published server.
        var applyOnly = args.Contains("--apply-only");
        var rows = new List<string[]> { new[] { "nodes", "pods/s", "pods/CPU-s", "bound", "unschedulable", "p50 / p99 enqueue→bound", "p99 cycle", "paced 1,000/s: p50 / p99 enqueue→bound", "anchor" } };
        if (!applyOnly)
        {
            // A warm-up run so the tiered JIT has optimized the hot path (the shipped binary is AOT-compiled).
            await RunOnceAsync(1_000, 3_000, 500, quiet: true);
            foreach (var nodes in new[] { 1_000, 5_000 })
            {
                var result = await RunOnceAsync(nodes, pods, paced, quiet: false);
                rows.Add([nodes.ToString("N0"), result.PodsPerSecond.ToString("N0"), result.PodsPerCpuSecond.ToString("N0"), result.Bound.ToString("N0"), result.Unschedulable.ToString("N0"),
                    result.ToBind.P50P99, $"{result.Cycle.Percentile(99):F3} ms", result.Paced.P50P99,
                    "upstream scheduler_perf passes at 400 pods/s; goal ≥ 2,000 pods/s"]);
            }
            Print(rows);
        }

        // End to end through the published server, when it is there.
        var binary = ApiBench.DefaultServer();
        if (!File.Exists(binary))
        {
            Console.WriteLine($"\n{binary} is not published: skipping apply → bound (./build.sh publish first)");
            return 0;
        }

        Console.WriteLine();
        var e2e = new List<string[]> { new[] { "edge-server end to end", "first pod bound", "all 100 bound", "anchor" } };
        foreach (var nodes in new[] { 10, 100 })
        {
            var (first, all) = await ApplyToBoundBench.RunAsync(binary, nodes, 100, CancellationToken.None);
            e2e.Add([$"apply of a 100-replica Deployment, {nodes} hollow nodes", $"{first.TotalMilliseconds:F0} ms", $"{all.TotalMilliseconds:F0} ms",
                "Kubernetes SLO: pod startup (to running, images pulled) p99 ≤ 5 s"]);
        }

        Print(e2e);
        return 0;
    }

    sealed record Result(double PodsPerSecond, double PodsPerCpuSecond, int Bound, int Unschedulable, Latencies ToBind, Latencies Cycle, Latencies Paced);

    const int PacedRate = 1_000;

    static async Task<Result> RunOnceAsync(int nodeCount, int podCount, int pacedCount, bool quiet)
    {
        var binder = new RecordingBinder(podCount + pacedCount);
        var scheduler = new PodScheduler(binder, binder, binder, new SchedulerOptions { Seed = 42 });
        var random = new Random(nodeCount);
        for (var i = 0; i < nodeCount; i++)
            scheduler.AddOrUpdateNode(Node(i, random));
        var pods = Enumerable.Range(0, podCount + pacedCount).Select(i => Pod(i, random)).ToArray();
        GC.Collect();

        var enqueued = new long[podCount + pacedCount];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => scheduler.RunAsync(stop.Token));
        for (var i = 0; i < podCount; i++)
        {
            enqueued[i] = Stopwatch.GetTimestamp();
            scheduler.AddOrUpdatePod(pods[i]);
        }
        // Done when every pod is bound or parked as unschedulable.
        while (binder.Count + scheduler.UnschedulableCount < podCount)
            await Task.Delay(5);
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var bound = binder.Count;
        var unschedulable = scheduler.UnschedulableCount;

        var pacedStart = Stopwatch.GetTimestamp();
        for (var i = podCount; i < podCount + pacedCount; i++)
        {
            var due = pacedStart + (long)((i - podCount) * (double)Stopwatch.Frequency / PacedRate);
            while (Stopwatch.GetTimestamp() < due)
                Thread.Sleep(1);
            enqueued[i] = Stopwatch.GetTimestamp();
            scheduler.AddOrUpdatePod(pods[i]);
        }
        while (binder.Count + scheduler.UnschedulableCount < podCount + pacedCount)
            await Task.Delay(5);
        await stop.CancelAsync();
        await run;
        var paced = new Latencies();
        for (var i = podCount; i < podCount + pacedCount; i++)
        {
            if (binder.BoundAt[i] != 0)
                paced.Add(Stopwatch.GetElapsedTime(enqueued[i], binder.BoundAt[i]).TotalMilliseconds);
        }

        var toBind = new Latencies();
        for (var i = 0; i < podCount; i++)
        {
            if (binder.BoundAt[i] != 0)
                toBind.Add(Stopwatch.GetElapsedTime(enqueued[i], binder.BoundAt[i]).TotalMilliseconds);
        }
        var cycles = new Latencies();
        for (var i = 1; i < bound; i++)
            cycles.Add(Stopwatch.GetElapsedTime(binder.Order[i - 1], binder.Order[i]).TotalMilliseconds);
        if (!quiet)
            Console.WriteLine($"{nodeCount:N0} nodes: {bound:N0} bound in {elapsed:F2} s using {cpu:F2} CPU-s (enqueue included), {unschedulable:N0} unschedulable; then {pacedCount:N0} paced, {scheduler.UnschedulableCount - unschedulable:N0} of them unschedulable");
        return new Result(bound / elapsed, bound / cpu, bound, unschedulable, toBind, cycles, paced);
    }

    static readonly string[] ImagePool = Enumerable.Range(0, 20).Select(i => $"registry.local/app{i}:1.{i}").ToArray();

    static JsonObject Node(int i, Random random)
    {
        var name = $"node-{i}";
        var labels = new JsonObject
        {
            ["kubernetes.io/hostname"] = name,
            ["topology.kubernetes.io/zone"] = $"zone-{i % 3}",
            ["node.kubernetes.io/instance-type"] = "edge-4x8",
            ["disk"] = i % 2 == 0 ? "ssd" : "hdd",
        };
        var taints = new JsonArray();
        if (i % 20 == 0)
            taints.Add((JsonNode)new JsonObject { ["key"] = "dedicated", ["value"] = "infra", ["effect"] = "NoSchedule" });
        var images = new JsonArray();
        foreach (var image in ImagePool.OrderBy(_ => random.Next()).Take(random.Next(3, 8)))
            images.Add((JsonNode)new JsonObject { ["names"] = new JsonArray(JsonValue.Create(image)), ["sizeBytes"] = random.Next(50, 800) * 1024L * 1024 });
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["spec"] = new JsonObject { ["taints"] = taints },
            ["status"] = new JsonObject
            {
                ["allocatable"] = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "50Gi" },
                ["images"] = images,
            },
        };
    }

    static JsonObject Pod(int i, Random random)
    {
        var kind = i % 10;
        string app;
        var spec = new JsonObject();
        if (kind < 5)
        {
            app = $"plain-{i % 50}";
        }
        else if (kind < 7)
        {
            app = $"ssd-{i % 20}";
            spec["nodeSelector"] = new JsonObject { ["disk"] = "ssd" };
        }
        else if (kind < 9)
        {
            app = $"spread-{i % 20}";
            spec["topologySpreadConstraints"] = new JsonArray((JsonNode)new JsonObject
            {
                ["maxSkew"] = 1,
                ["topologyKey"] = "topology.kubernetes.io/zone",
                ["whenUnsatisfiable"] = "DoNotSchedule",
                ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
            });
        }
        else
        {
            app = $"anti-{i % 100}";
            spec["affinity"] = new JsonObject
            {
                ["podAntiAffinity"] = new JsonObject
                {
                    ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray((JsonNode)new JsonObject
                    {
                        ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = app } },
                        ["topologyKey"] = "kubernetes.io/hostname",
                    }),
                },
            };
        }
        spec["containers"] = new JsonArray((JsonNode)new JsonObject
        {
            ["name"] = "app",
            ["image"] = ImagePool[i % ImagePool.Length],
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = $"{random.Next(1, 6) * 100}m", ["memory"] = $"{random.Next(1, 5) * 128}Mi" },
            },
        });
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"pod-{i}",
                ["namespace"] = "bench",
                ["uid"] = $"uid-{i}",
                ["labels"] = new JsonObject { ["app"] = app },
            },
            ["spec"] = spec,
        };
    }

    static void Print(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        Console.WriteLine();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }

    /// <summary>Binds by noting the time; evictions and reports are dropped (nothing preempts here).</summary>
    sealed class RecordingBinder(int pods) : IPodBinder, IPodEvictor, ISchedulingReporter
    {
        public long[] BoundAt { get; } = new long[pods];
        public long[] Order { get; } = new long[pods];
        public int Count { get; private set; }

        public Task BindAsync(PodRef pod, string nodeName, CancellationToken cancellationToken)
        {
            var now = Stopwatch.GetTimestamp();
            BoundAt[int.Parse(pod.Name.AsSpan(4))] = now;
            Order[Count] = now;
            Count++;
            return Task.CompletedTask;
        }

        public Task EvictAsync(PodRef victim, PodRef preemptor, string nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ScheduledAsync(PodRef pod, string nodeName, string message, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task UnschedulableAsync(PodRef pod, string message, string? nominatedNodeName, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
