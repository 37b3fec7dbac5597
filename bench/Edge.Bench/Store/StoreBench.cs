using System.Diagnostics;
using System.Globalization;
using Edge.Store;
using Edge.Store.Embedded;
using Edge.Store.Etcd;

namespace Edge.Bench.Store;

/// <summary>
/// The same workload against the embedded engine and a real etcd on loopback, in one run, each
/// driven through <see cref="IStore"/>; prints both with their ratio.
/// Usage: Edge.Bench store [--quick]
/// </summary>
public static class StoreBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        if (args.Length >= 2 && args[0] == "--recovery-open")
        {
            return await RecoveryOpenAsync(args[1], long.Parse(args[2], CultureInfo.InvariantCulture));
        }

        if (args.Contains("--recovery-only"))
        {
            var dir = Directory.CreateTempSubdirectory("edge-recovery-").FullName;
            try
            {
                var recovery = await RecoveryAsync(dir, quick ? 100_000 : 1_000_000);
                Console.WriteLine($"recovery {recovery.Seconds:F2} s ({recovery.Detail}; written at {recovery.WriteRate:N0}/s)");
                return 0;
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        var phase = TimeSpan.FromSeconds(quick ? 1 : 3);
        var recoveryRevisions = quick ? 100_000 : 1_000_000;
        var root = Directory.CreateTempSubdirectory("edge-storebench-").FullName;
        try
        {
            Console.WriteLine($"Store benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {phase.TotalSeconds:F0} s per throughput phase; both engines write to {Path.GetPathRoot(root)} ({root})");
            Console.WriteLine("embedded: in this process through IStore; etcd 3.4 (Debian) on loopback through the same IStore (gRPC).");
            Console.WriteLine();

            var self = Environment.ProcessId;
            var baseline = Rss(self);
            Dictionary<string, double> embedded;
            await using (var store = EmbeddedStore.Open(new EmbeddedStoreOptions(Path.Combine(root, "embedded"))))
            {
                embedded = await RunWorkloadAsync(store, self, phase);
            }

            GC.Collect();
            embedded["rss"] = Math.Max(0, Rss(self) - baseline);

            Dictionary<string, double> etcd;
            await using (var process = await EtcdProcess.StartAsync(Path.Combine(root, "etcd")))
            {
                await using var store = new EtcdStore(new EtcdStoreOptions { Endpoints = [process.Endpoint] });
                etcd = await RunWorkloadAsync(store, process.Pid, phase);
                etcd["rss"] = ProcStats.ResidentBytes(process.Pid);
            }

            var recovery = await RecoveryAsync(Path.Combine(root, "recovery"), recoveryRevisions);
            Print(embedded, etcd, recovery, recoveryRevisions);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static long Rss(int pid) => ProcStats.ResidentBytes(pid);

    private static async Task<Dictionary<string, double>> RunWorkloadAsync(IStore store, int pid, TimeSpan phase)
    {
        var figures = new Dictionary<string, double>();
        foreach (var size in new[] { 256, 4096 })
        {
            foreach (var clients in new[] { 1, 16, 256 })
            {
                var (rate, p50, p99) = await ThroughputAsync(store, clients, size, phase, $"/tp/{size}/{clients}/");
                figures[$"tp/{size}/{clients}"] = rate;
                figures[$"p50/{size}/{clients}"] = p50;
                figures[$"p99/{size}/{clients}"] = p99;
            }
        }

        // The API server compacts the history every 5 minutes; the steady state a cluster runs in
        // is a compacted store, so the latency phases start from one (both engines alike).
        // Both engines then finish what the write bursts left them to do in the background
        // (the embedded one's snapshot of a GB or more, etcd's backend commits) before the
        // latency phases: they measure a store at its steady state. The cost of a snapshot on
        // latency is measured on its own below.
        await store.CompactAsync((await store.StatusAsync()).Revision);
        GC.Collect();
        figures["settle"] = await SettleAsync(pid);
        var (paced50, paced99) = await PacedAsync(store, ratePerSecond: 1000, phase * 2, "/paced/");
        figures["paced/p50"] = paced50;
        figures["paced/p99"] = paced99;
        if (store is EmbeddedStore embedded)
        {
            // The same load while a copy of the whole store is written (a backup snapshot: the
            // same gentle write-back as the snapshots the WAL bound triggers).
            var backup = Path.Combine(Path.GetTempPath(), $"edge-storebench-{Environment.ProcessId}.snap");
            try
            {
                var clock = Stopwatch.StartNew();
                var saving = embedded.SaveSnapshotAsync(backup);
                var (during50, during99) = await PacedAsync(store, ratePerSecond: 1000, phase * 2, "/paced-snapshot/");
                await saving;
                figures["snapshot/seconds"] = clock.Elapsed.TotalSeconds;
                figures["snapshot/bytes"] = new FileInfo(backup).Length;
                figures["snapshot/p50"] = during50;
                figures["snapshot/p99"] = during99;
            }
            finally
            {
                File.Delete(backup);
            }

            await SettleAsync(pid);
        }

        var diskBefore = ProcStats.DiskWriteBytes(pid);
        await LoadAsync(store, "/disk/", 10_000, 256, clients: 16);
        figures["disk/1000"] = (ProcStats.DiskWriteBytes(pid) - diskBefore) / 10.0;

        await LoadAsync(store, "/range/", 10_000, 256, clients: 64);
        var ranges = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            var result = await store.RangeAsync(RangeRequest.Prefix("/range/"));
            ranges.Add(clock.Elapsed.TotalMilliseconds);
            if (result.Kvs.Count != 10_000)
            {
                throw new InvalidOperationException($"range returned {result.Kvs.Count} keys");
            }
        }

        figures["range10k"] = Percentile(ranges, 50);
        var (watch50, watch99) = await WatchLatencyAsync(store, 1000);
        figures["watch/p50"] = watch50;
        figures["watch/p99"] = watch99;
        return figures;
    }

    private static async Task<(double Rate, double P50, double P99)> ThroughputAsync(IStore store, int clients, int size, TimeSpan duration, string prefix)
    {
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        var latencies = new List<double>[clients];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<double>(4096);
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await store.TxnAsync(TxnRequest.Do(new PutOp($"{prefix}{c}/{i}", value)));
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count / elapsed, Percentile(all, 50), Percentile(all, 99));
    }

    /// <summary>Puts at a fixed rate (open loop), so latency is measured at a load the store can carry.</summary>
    private static async Task<(double P50, double P99)> PacedAsync(IStore store, int ratePerSecond, TimeSpan duration, string prefix)
    {
        var value = new byte[256];
        var latencies = new List<double>();
        var pending = new List<Task>();
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            var due = Math.Min(total, (int)(clock.Elapsed.TotalSeconds * ratePerSecond) + 1);
            for (; sent < due; sent++)
            {
                pending.Add(TimedPutAsync(store, $"{prefix}{sent}", value, latencies));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(pending);
        return (Percentile(latencies, 50), Percentile(latencies, 99));
    }

    /// <summary>Waits until the process has written nothing to disk for a second (at most 2 minutes); returns the seconds waited.</summary>
    private static async Task<double> SettleAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        var last = ProcStats.DiskWriteBytes(pid);
        var quietSince = clock.Elapsed;
        while (clock.Elapsed - quietSince < TimeSpan.FromSeconds(1) && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
            var now = ProcStats.DiskWriteBytes(pid);
            if (now != last)
            {
                last = now;
                quietSince = clock.Elapsed;
            }
        }

        return clock.Elapsed.TotalSeconds - 1;
    }

    private static async Task TimedPutAsync(IStore store, string key, byte[] value, List<double> latencies)
    {
        var start = Stopwatch.GetTimestamp();
        await store.TxnAsync(TxnRequest.Do(new PutOp(key, value)));
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        lock (latencies)
        {
            latencies.Add(ms);
        }
    }

    private static async Task LoadAsync(IStore store, string prefix, int count, int size, int clients)
    {
        var value = new byte[size];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await store.TxnAsync(TxnRequest.Do(new PutOp($"{prefix}{i:D6}", value)));
            }
        })));
    }

    /// <summary>From the start of a put to the moment a watcher sees it.</summary>
    private static async Task<(double P50, double P99)> WatchLatencyAsync(IStore store, int events)
    {
        var sentAt = new long[events];
        var latencies = new List<double>(events);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var start = (await store.StatusAsync()).Revision + 1;
        var watching = Task.Run(async () =>
        {
            await foreach (var batch in store.WatchAsync(WatchRequest.Prefix("/watch/", start), cts.Token))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var e in batch)
                {
                    var index = int.Parse(e.Kv.Key["/watch/".Length..], CultureInfo.InvariantCulture);
                    latencies.Add(Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[index]), now).TotalMilliseconds);
                }

                if (latencies.Count >= events)
                {
                    return;
                }
            }
        });
        var value = new byte[256];
        for (var i = 0; i < events; i++)
        {
            Volatile.Write(ref sentAt[i], Stopwatch.GetTimestamp());
            await store.TxnAsync(TxnRequest.Do(new PutOp($"/watch/{i}", value)));
            await Task.Delay(1);
        }

        await watching;
        return (Percentile(latencies, 50), Percentile(latencies, 99));
    }

    /// <summary>Fills a fresh embedded store with N revisions (10,000 keys, 256-byte values), then times a reopen.</summary>
    /// <summary>
    /// 1M puts over 10,000 keys through the store, closed; then a fresh process opens it, as a
    /// restarted server would (this process's heap from the earlier phases must not weigh on it).
    /// </summary>
    private static async Task<(double Seconds, double WriteRate, string Detail)> RecoveryAsync(string dir, int revisions)
    {
        var value = new byte[256];
        var clock = Stopwatch.StartNew();
        await using (var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir)))
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 256).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < revisions)
                {
                    await store.TxnAsync(TxnRequest.Do(new PutOp($"/recovery/{i % 10_000:D5}", value)));
                }
            })));
        }

        var writeRate = revisions / clock.Elapsed.TotalSeconds;
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(StoreBench).Assembly.Location);
        }

        foreach (var arg in new[] { "store", "--recovery-open", dir, revisions.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var output = (await child.StandardOutput.ReadToEndAsync()).Trim();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the recovering process failed: {output}");
        }

        var seconds = output.Split(' ', 2);
        return (double.Parse(seconds[0], CultureInfo.InvariantCulture), writeRate, seconds[1]);
    }

    /// <summary>The child of <see cref="RecoveryAsync"/>: opens the store, checks it, prints its figures.</summary>
    private static async Task<int> RecoveryOpenAsync(string dir, long revisions)
    {
        await using var store = EmbeddedStore.Open(new EmbeddedStoreOptions(dir));
        if ((await store.StatusAsync()).Revision != revisions)
        {
            Console.WriteLine($"recovery lost revisions: {(await store.StatusAsync()).Revision} of {revisions}");
            return 1;
        }

        var seconds = store.Recovery.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{seconds:F3} fresh process, RSS {Rss(Environment.ProcessId) / 1048576.0:F0} MB after; GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms in {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections"));
        return 0;
    }

    private static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(percentile / 100 * values.Count) - 1)];
    }

    private static void Print(Dictionary<string, double> embedded, Dictionary<string, double> etcd, (double Seconds, double WriteRate, string Detail) recovery, int revisions)
    {
        var rows = new List<string[]> { new[] { "figure", "embedded", "etcd 3.4", "embedded vs etcd" } };
        void Row(string name, string key, Func<double, string> format, bool higherIsBetter)
        {
            var a = embedded[key];
            var b = etcd[key];
            var ratio = higherIsBetter ? a / b : b / a;
            rows.Add([name, format(a), format(b), $"{ratio:F1}× {(ratio >= 1 ? "better" : "worse")}"]);
        }

        string Rate(double v) => $"{v:N0}/s";
        string Ms(double v) => $"{v:F2} ms";
        foreach (var size in new[] { 256, 4096 })
        {
            foreach (var clients in new[] { 1, 16, 256 })
            {
                Row($"durable puts, {size} B, {clients} clients", $"tp/{size}/{clients}", Rate, true);
                Row($"  put p50 / p99 latency", $"p99/{size}/{clients}", v => $"{embedded[$"p50/{size}/{clients}"]:F2} / {v:F2} ms", false);
                rows[^1][2] = $"{etcd[$"p50/{size}/{clients}"]:F2} / {etcd[$"p99/{size}/{clients}"]:F2} ms";
            }
        }

        Row("put p50 at 1,000 puts/s", "paced/p50", Ms, false);
        Row("put p99 at 1,000 puts/s (goal ≤ 5 ms)", "paced/p99", Ms, false);
        rows.Add(["  (waited for background writes to settle first)", $"{embedded["settle"]:F1} s", $"{etcd["settle"]:F1} s", ""]);
        rows.Add([$"put p50 / p99 at 1,000 puts/s while a {embedded["snapshot/bytes"] / 1048576:N0} MiB snapshot is written ({embedded["snapshot/seconds"]:F1} s)",
            $"{embedded["snapshot/p50"]:F2} / {embedded["snapshot/p99"]:F2} ms", "not measured", ""]);
        Row("range of 10,000 keys (median)", "range10k", Ms, false);
        Row("watch event latency p50", "watch/p50", Ms, false);
        Row("watch event latency p99", "watch/p99", Ms, false);
        Row("bytes written to disk per 1,000 puts (256 B)", "disk/1000", v => $"{v / 1024:N0} KiB", false);
        Row("memory after the workload (embedded: RSS growth of this process)", "rss", v => $"{v / 1048576:F1} MB", false);
        rows.Add([$"recovery of {revisions:N0} revisions (goal ≤ 2 s)", $"{recovery.Seconds:F2} s", "not loaded", $"({recovery.Detail}; written at {recovery.WriteRate:N0}/s)"]);

        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
