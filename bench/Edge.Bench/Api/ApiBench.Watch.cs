using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Edge.Bench.Api;

public static partial class ApiBench
{
    private sealed record WatchResult(Latencies Delivery, Latencies Writes, int Watchers, int Connections, int Updates, int Missing, CpuUse Cpu)
    {
        /// <summary>CPU per update delivered to every watcher, server / this process (which parses every event), in ms.</summary>
        public string CpuPerUpdate => $"{Cpu.Server.TotalMilliseconds / Updates:F1} / {Cpu.Client.TotalMilliseconds / Updates:F1} ms";
    }

    /// <summary>
    /// <paramref name="watchers"/> watches of one namespace's configmaps from a known
    /// resourceVersion, then <paramref name="updates"/> merge-patches of one configmap, spaced by
    /// <paramref name="spacing"/>. Each event's delay runs from just before its PATCH was sent to
    /// the moment a watcher has parsed it; every (watcher, event) pair is one sample.
    /// </summary>
    private static async Task<WatchResult> WatchFanOutAsync(
        EdgeServerProcess server, string ns, int watchers, int updates, TimeSpan spacing, CancellationToken cancellationToken)
    {
        using var writer = AdminClient.Create(server);
        var created = await SendAsync(writer, HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps",
            Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fan-out"},"data":{"seq":"-1"}}"""), HttpStatusCode.Created, cancellationToken);
        string resourceVersion;
        using (var document = JsonDocument.Parse(created))
        {
            resourceVersion = document.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
        }

        // One client for all watchers, as one informer-heavy process would have: HTTP/2 streams,
        // a new connection whenever the server's limit of concurrent streams per connection is reached.
        using var watchClient = AdminClient.Create(server);
        var sentAt = new long[updates];
        var receivedAt = new long[watchers, updates];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connected = 0;
        var allConnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
        {
            var path = $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={resourceVersion}&timeoutSeconds=600";
            using var response = await watchClient.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"watch {w}: {(int)response.StatusCode}");
            }

            if (Interlocked.Increment(ref connected) == watchers)
            {
                allConnected.TrySetResult();
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            var seen = 0;
            while (seen < updates && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                using var frame = JsonDocument.Parse(line);
                var type = frame.RootElement.GetProperty("type").GetString();
                if (type != "MODIFIED")
                {
                    throw new InvalidOperationException($"watch {w}: unexpected {type} event: {line}");
                }

                var seq = int.Parse(frame.RootElement.GetProperty("object").GetProperty("data").GetProperty("seq").GetString()!);
                receivedAt[w, seq] = Stopwatch.GetTimestamp();
                seen++;
            }
        }, stop.Token)).ToArray();

        try
        {
            // The response headers come after the server has subscribed the watch, so once every
            // watcher has them, every one of them will see the first update.
            try
            {
                await allConnected.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }
            catch (TimeoutException)
            {
                var failure = tasks.FirstOrDefault(t => t.IsFaulted)?.Exception?.InnerException;
                throw new TimeoutException(
                    $"{connected} of {watchers} watches started in 60 s over {ConnectionCount(server.Port)} connections", failure);
            }
            var writes = new Latencies();
            var cpu = CpuUse.Start(server);
            for (var seq = 0; seq < updates; seq++)
            {
                await Task.Delay(spacing, cancellationToken);
                var patch = Json($$$"""{"data":{"seq":"{{{seq}}}"}}""");
                sentAt[seq] = Stopwatch.GetTimestamp();
                await SendAsync(writer, HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/fan-out", patch, HttpStatusCode.OK, cancellationToken,
                    "application/merge-patch+json");
                writes.Add(Stopwatch.GetElapsedTime(sentAt[seq]).TotalMilliseconds);
            }

            // Let the last events arrive; a watcher that has not seen everything by then counts its gaps as missing.
            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
            var used = cpu.Stop();
            var delivery = new Latencies();
            var missing = 0;
            var slowest = new double[updates];
            for (var w = 0; w < watchers; w++)
            {
                for (var seq = 0; seq < updates; seq++)
                {
                    if (receivedAt[w, seq] == 0)
                    {
                        missing++;
                    }
                    else
                    {
                        var ms = Stopwatch.GetElapsedTime(sentAt[seq], receivedAt[w, seq]).TotalMilliseconds;
                        delivery.Add(ms);
                        slowest[seq] = Math.Max(slowest[seq], ms);
                    }
                }
            }

            // Which updates make the tail: one stalled update, or all of them a little.
            Step("  slowest updates (number: last delivery): " + string.Join(", ",
                slowest.Select((ms, seq) => (ms, seq)).OrderByDescending(u => u.ms).Take(3).Select(u => $"{u.seq}: {u.ms:F0} ms")));

            var failed = tasks.FirstOrDefault(t => t.IsFaulted);
            if (failed is not null)
            {
                throw new InvalidOperationException("a watcher failed", failed.Exception!.InnerException);
            }

            return new WatchResult(delivery, writes, watchers, ConnectionCount(server.Port), updates, missing, used);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>Established TCP connections to the server's port, from /proc/net/tcp6 (.NET's sockets are dual-mode) and tcp.</summary>
    private static int ConnectionCount(int port)
    {
        var remote = $":{port:X4}";
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }.SelectMany(t => File.ReadLines(t).Skip(1))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[2].EndsWith(remote, StringComparison.Ordinal) && f[3] == "01");
    }
}
