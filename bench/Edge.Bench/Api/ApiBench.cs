using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace Edge.Bench.Api;

/// <summary>
/// The API server end to end: the published edge-server (native AOT) on loopback with a temp
/// data dir, driven over HTTPS/2 with the admin client certificate, as kubectl and client-go talk
/// to it. Pod creates at 1/16/64 clients, LIST of 10,000 pods (whole and paged), watch fan-out to
/// 1,000 watchers, server RSS and data dir size.
/// Usage: Edge.Bench api [--quick] [--server PATH] [--only memory|list|creates|watch] [--http1.1] [--server-log PATH]
/// </summary>
public static partial class ApiBench
{
    private const int ListedPods = 10_000;

    /// <summary>Watch updates sent and checked before the timed ones (see WatchFanOutAsync).</summary>
    private const int WatchWarmup = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var binary = Option("--server") is { } path ? Path.GetFullPath(path) : DefaultServer();
        // --only memory|list|creates|watch runs one part (memory and list share the 10,000-pod load).
        var only = Option("--only");
        AdminClient.PreferHttp11 = args.Contains("--http1.1");
        EdgeServerProcess.LogFile = Option("--server-log") is { } log ? Path.GetFullPath(log) : null;
        bool Runs(string part) => only is null || only == part || (only == "list" && part == "memory");
        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"{binary} is not published: run ./build.sh publish first, or pass --server PATH");
            return 1;
        }

        var createPhase = TimeSpan.FromSeconds(quick ? 1 : 5);
        var listRuns = quick ? 5 : 20;
        var updates = quick ? 10 : 50;
        var idle = TimeSpan.FromSeconds(quick ? 2 : 10);

        // Ctrl+C cancels the phases so the server is still stopped and the temp dir removed.
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var token = cancel.Token;

        using var temp = new Scratch();
        await using var server = await EdgeServerProcess.StartAsync(binary, temp.Dir("data"), temp.Dir("admin.kubeconfig"), token);
        Console.WriteLine($"API server benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores (shared by server and load generator){(quick ? ", quick" : "")}");
        Console.WriteLine($"{binary} (pid {server.Pid}) on https://127.0.0.1:{server.Port}, data dir {server.DataDir}");
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("Client: HttpClient + SocketsHttpHandler, HTTP/2 over TLS with the admin client certificate (kubectl's protocol).");
        Console.WriteLine();

        var rows = new List<string[]> { new[] { "figure", "edge", "goal", "anchor" } };
        await Task.Delay(idle, token);
        rows.Add([$"server RSS, idle {idle.TotalSeconds:F0} s after ready", Mb(server.ResidentBytes), "", ""]);
        rows.Add(["data dir, idle", Mb(server.DataDirBytes), "", ""]);

        using var admin = AdminClient.Create(server);
        foreach (var ns in new[] { "bench-list", "bench-create-1", "bench-create-16", "bench-create-64", "bench-watch" })
        {
            await SendAsync(admin, HttpMethod.Post, "/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}"""),
                HttpStatusCode.Created, token);
        }

        if (Runs("memory"))
        {
            Step($"storing {ListedPods:N0} pods (16 clients)");
            var load = await CreatePodsAsync(server, "bench-list", 16, null, ListedPods, token);
            Step($"  {load.PerSecond:N0}/s, p50 / p99 {load.Latencies.P50P99}, CPU per create server / client {load.CpuPerCreate}");
            await Task.Delay(TimeSpan.FromSeconds(2), token);
            rows.Add([$"server RSS with {ListedPods:N0} pods stored", Mb(server.ResidentBytes), "", ""]);
            rows.Add([$"data dir with {ListedPods:N0} pods", Mb(server.DataDirBytes), "", ""]);
        }

        if (Runs("list"))
        {
            Step($"LIST {ListedPods:N0} pods × {listRuns}");
            var cpu = CpuUse.Start(server);
            var whole = await ListAsync(admin, "bench-list", ListedPods, null, listRuns, token);
            var wholeCpu = cpu.Stop();
            Step($"  whole: {whole.P50P99}, server CPU {wholeCpu.Server.TotalMilliseconds / (listRuns + 1):F0} ms per LIST");
            cpu = CpuUse.Start(server);
            var paged = await ListAsync(admin, "bench-list", ListedPods, 500, listRuns, token);
            var pagedCpu = cpu.Stop();
            Step($"  limit=500: {paged.P50P99}, server CPU {pagedCpu.Server.TotalMilliseconds / (listRuns + 1):F0} ms per LIST");
            rows.Add([$"LIST {ListedPods:N0} pods, no limit: p50 / p99 ({listRuns} runs)", whole.P50P99, "p50 ≤ 50 ms", ""]);
            rows.Add([$"LIST {ListedPods:N0} pods, limit=500, all {ListedPods / 500} pages: p50 / p99", paged.P50P99, "p50 ≤ 50 ms", ""]);
            rows.Add(["— server CPU per LIST, no limit / paged", $"{wholeCpu.Server.TotalMilliseconds / (listRuns + 1):F0} / {pagedCpu.Server.TotalMilliseconds / (listRuns + 1):F0} ms", "", ""]);
        }

        foreach (var clients in Runs("creates") ? [1, 16, 64] : Array.Empty<int>())
        {
            SettleLoadGenerator();
            Step($"creating pods, {clients} clients, {createPhase.TotalSeconds:F0} s");
            var result = await CreatePodsAsync(server, $"bench-create-{clients}", clients, createPhase, null, token);
            Step($"  {result.PerSecond:N0}/s, p50 / p99 {result.Latencies.P50P99}, CPU per create server / client {result.CpuPerCreate}");
            rows.Add([$"pod creates, {clients} client{(clients == 1 ? "" : "s")}", $"{result.PerSecond:N0}/s", clients == 16 ? "≥ 5,000/s" : "", ""]);
            rows.Add(["— latency p50 / p99", result.Latencies.P50P99, "", "Kubernetes SLO: p99 ≤ 1 s"]);
            rows.Add(["— CPU per create: server / load generator", result.CpuPerCreate, "", ""]);
        }

        if (Runs("watch"))
        {
            SettleLoadGenerator();
            Step($"watch fan-out: 1,000 watchers, {WatchWarmup} untimed + {updates} timed updates 100 ms apart");
            var watch = await WatchFanOutAsync(server, "bench-watch", 1000, WatchWarmup, updates, TimeSpan.FromMilliseconds(100), token);
            Step($"  delivery {watch.Delivery.P50P99}, writes {watch.Writes.P50P99}, {watch.Missing} missing, {watch.Connections} connections, CPU per update server / client {watch.CpuPerUpdate}");
            rows.Add([$"watch delivery, {watch.Watchers:N0} watchers × {watch.Updates} updates: p50 / p99", watch.Delivery.P50P99, "p99 ≤ 50 ms", ""]);
            rows.Add([$"— the {watch.Warmup} untimed warm-up updates before them: slowest delivery", $"{watch.WarmupSlowest:F0} ms", "", ""]);
            rows.Add(["— events not delivered within 10 s", watch.Missing.ToString(CultureInfo.InvariantCulture), "0", ""]);
            rows.Add(["— the PATCH itself: p50 / p99", watch.Writes.P50P99, "", "Kubernetes SLO: p99 ≤ 1 s"]);
            rows.Add(["— CPU per update (1,000 deliveries): server / load generator", watch.CpuPerUpdate, "", ""]);
            rows.Add(["— connections the watchers used (one HttpClient)", watch.Connections.ToString(CultureInfo.InvariantCulture), "", ""]);
            rows.Add(["server RSS at the end (all pods, 1,000 watches open)", Mb(server.ResidentBytes), "", ""]);
        }

        Console.WriteLine();
        Print(rows);
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;

        string? Option(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }
    }

    /// <summary>
    /// A full collection in this process before a timed phase, so that the garbage of the earlier
    /// phases (every LIST reads 13 MB) is not collected inside it, where its pause would count
    /// against the server.
    /// </summary>
    private static void SettleLoadGenerator()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    private static void Step(string text) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {text}");

    private static string Mb(long bytes) => bytes < 1048576 ? $"{bytes / 1024.0:F0} KiB" : $"{bytes / 1048576.0:F1} MB";

    private static void Print(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    /// <summary>artifacts/publish/&lt;this machine's RID&gt;/edge-server of the repository this runs from.</summary>
    internal static string DefaultServer()
    {
        var rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                return Path.Combine(dir.FullName, "artifacts", "publish", rid, "edge-server");
            }
        }

        return Path.GetFullPath(Path.Combine("artifacts", "publish", rid, "edge-server"));
    }
}
