using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Edge.Bench.Startup;

/// <summary>
/// Start-up, idle memory and binary size of the published executables, beside etcd.
/// Usage: Edge.Bench startup PUBLISH_DIR [--runs N] [--idle-seconds S]
/// (PUBLISH_DIR holds linux-x64/ and linux-arm64/ as ./build.sh publish leaves them).
/// </summary>
public static class StartupBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var publish = Path.GetFullPath(args[0]);
        var runs = Option("--runs", 10);
        var idleSeconds = Option("--idle-seconds", 10);
        var server = Path.Combine(publish, "linux-x64", "edge-server");
        var etcd = File.Exists("/usr/bin/etcd") ? "/usr/bin/etcd" : null;
        using var temp = new Scratch();

        Console.WriteLine($"Edge benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {runs} runs per start-up figure, idle RSS after {idleSeconds} s");
        Console.WriteLine("Anchor: etcd, measured here in the same run (the store alone of an upstream control plane); k3s figures are its published ones.");
        Console.WriteLine();

        var rows = new List<string[]>
        {
            new[] { "figure", "edge", "anchor: etcd (measured)", "target", "k3s (published)" },
        };

        string Size(string path) => File.Exists(path) ? $"{new FileInfo(path).Length / 1048576.0:F1} MB" : "not built";
        rows.Add(["server binary, linux-x64", Size(server), etcd is null ? "n/a" : Size(etcd), "≤ 30 MB", "64–67 MB"]);
        rows.Add(["server binary, linux-arm64", Size(Path.Combine(publish, "linux-arm64", "edge-server")), "", "", ""]);
        rows.Add(["agent binary, linux-x64", Size(Path.Combine(publish, "linux-x64", "edge-agent")), "", "", ""]);
        rows.Add(["agent binary, linux-arm64", Size(Path.Combine(publish, "linux-arm64", "edge-agent")), "", "", ""]);

        // First start: empty data dir (creates the CA and certificates). Restart: data dir reused.
        var first = await Measure(runs, i => Edge(server, temp.Dir($"first-{i}")));
        var restartDir = temp.Dir("restart");
        var restart = await Measure(runs, _ => Edge(server, restartDir));
        var etcdStart = etcd is null ? null : await Measure(runs, i => Etcd(etcd, temp.Dir($"etcd-{i}")));
        rows.Add(["cold start to ready, first start (median)", Ms(first), etcdStart is null ? "n/a" : Ms(etcdStart), "≤ 150 ms", ""]);
        rows.Add(["cold start to ready, restart (median)", Ms(restart), "", "≤ 150 ms", ""]);

        var edgeRss = await IdleRss(Edge(server, restartDir), idleSeconds);
        long? etcdRss = etcd is null ? null : await IdleRss(Etcd(etcd, temp.Dir("etcd-idle")), idleSeconds);
        rows.Add([$"idle RSS after {idleSeconds} s", Mb(edgeRss), etcdRss is null ? "n/a" : Mb(etcdRss.Value), "≤ 40 MB", "server node 1.2–1.6 GB with a workload"]);

        Print(rows);
        return 0;

        int Option(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        static string Ms(IReadOnlyList<double> samples)
        {
            var sorted = samples.Order().ToList();
            var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
            return $"{median:F0} ms (min {sorted[0]:F0}, max {sorted[^1]:F0})";
        }

        static string Mb(long bytes) => $"{bytes / 1048576.0:F1} MB";

        static void Print(List<string[]> rows)
        {
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                Console.WriteLine(string.Join(" | ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }
        }

        // One discarded warm-up (page cache, JIT of this harness), then the measured runs.
        static async Task<IReadOnlyList<double>> Measure(int runs, Func<int, Target> start)
        {
            var samples = new List<double>();
            for (var i = -1; i < runs; i++)
            {
                await using var target = start(i);
                var elapsed = await target.StartAndWaitReadyAsync();
                if (i >= 0)
                {
                    samples.Add(elapsed.TotalMilliseconds);
                }
            }

            return samples;
        }

        static async Task<long> IdleRss(Target target, int idleSeconds)
        {
            await using (target)
            {
                await target.StartAndWaitReadyAsync();
                await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
                return target.ResidentBytes();
            }
        }

        static Target Edge(string binary, string dataDir)
        {
            var port = FreePort();
            return new Target(
                binary,
                ["server", "--data-dir", dataDir, "--https-listen-port", port.ToString(CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1", "--write-kubeconfig", Path.Combine(dataDir, "..", Path.GetFileName(dataDir) + ".kubeconfig")],
                new Uri($"https://127.0.0.1:{port}/readyz"));
        }

        static Target Etcd(string binary, string dataDir)
        {
            var client = FreePort();
            var peer = FreePort();
            return new Target(
                binary,
                ["--data-dir", dataDir, "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
                 "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                 "--initial-cluster", $"default=http://127.0.0.1:{peer}", "--log-level", "error"],
                new Uri($"http://127.0.0.1:{client}/health"));
        }

        static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
