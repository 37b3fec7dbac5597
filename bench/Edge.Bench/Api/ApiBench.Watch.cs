using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Edge.Bench.Api;

public static partial class ApiBench
{
    private sealed record WatchResult(
        Latencies Delivery, Latencies Writes, int Watchers, int Connections, int Updates, int Missing, CpuUse Cpu, int Warmup, double WarmupSlowest)
    {
        /// <summary>CPU per update delivered to every watcher, server / this process (which parses every event), in ms.</summary>
        public string CpuPerUpdate => $"{Cpu.Server.TotalMilliseconds / Updates:F1} / {Cpu.Client.TotalMilliseconds / Updates:F1} ms";
    }

    /// <summary>
    /// <paramref name="watchers"/> watches of one namespace's configmaps from a known
    /// resourceVersion, then <paramref name="warmup"/> + <paramref name="updates"/> merge-patches of
    /// one configmap, spaced by <paramref name="spacing"/>. Each event's delay runs from just before
    /// its PATCH was sent to the moment a watcher has parsed it; every (watcher, event) pair of the
    /// timed updates is one sample.
    /// </summary>
    /// <remarks>
    /// The warm-up updates are delivered and checked like the rest but not timed: they carry the
    /// first write on each of the 1,000 streams and the load generator's JIT tiering (~25 ms of
    /// CPU per update until its read path is compiled, on the cores the server needs). Their
    /// slowest delivery is reported beside the result.
    /// </remarks>
    private static async Task<WatchResult> WatchFanOutAsync(
        EdgeServerProcess server, string ns, int watchers, int warmup, int updates, TimeSpan spacing, CancellationToken cancellationToken)
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
        var total = warmup + updates;
        var sentAt = new long[total];
        var receivedAt = new long[watchers, total];
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

            // Events are read as bytes and only "type" and data.seq are picked out: the load
            // generator shares two cores with the server, and a watcher's delay includes waiting
            // for the other 999 watchers' parsing, so every microsecond here lands in the figures.
            await using var body = await response.Content.ReadAsStreamAsync(stop.Token);
            var buffer = new byte[4096];
            var filled = 0;
            var seen = 0;
            while (seen < total)
            {
                var read = await body.ReadAsync(buffer.AsMemory(filled), stop.Token);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var start = 0;
                int newline;
                while ((newline = Array.IndexOf(buffer, (byte)'\n', start, filled - start)) >= 0)
                {
                    var seq = EventSequence(buffer.AsSpan(start, newline - start), w);
                    receivedAt[w, seq] = Stopwatch.GetTimestamp();
                    seen++;
                    start = newline + 1;
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
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
            CpuUse.Meter? cpu = null;
            var pausedBefore = TimeSpan.Zero;
            var gcsBefore = 0;
            for (var seq = 0; seq < total; seq++)
            {
                await Task.Delay(spacing, cancellationToken);
                if (seq == warmup)
                {
                    cpu = CpuUse.Start(server);
                    pausedBefore = GC.GetTotalPauseDuration();
                    gcsBefore = GC.CollectionCount(0);
                }

                var patch = Json($$$"""{"data":{"seq":"{{{seq}}}"}}""");
                sentAt[seq] = Stopwatch.GetTimestamp();
                await SendAsync(writer, HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/fan-out", patch, HttpStatusCode.OK, cancellationToken,
                    "application/merge-patch+json");
                if (seq >= warmup)
                {
                    writes.Add(Stopwatch.GetElapsedTime(sentAt[seq]).TotalMilliseconds);
                }
            }

            // Let the last events arrive; a watcher that has not seen everything by then counts its gaps as missing.
            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(10), cancellationToken));
            var used = cpu!.Stop();
            Step($"  load generator: {GC.CollectionCount(0) - gcsBefore} GCs, {(GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds:F0} ms paused");
            var delivery = new Latencies();
            var missing = 0;
            var slowest = new double[total];
            for (var w = 0; w < watchers; w++)
            {
                for (var seq = 0; seq < total; seq++)
                {
                    if (receivedAt[w, seq] == 0)
                    {
                        missing++;
                    }
                    else
                    {
                        var ms = Stopwatch.GetElapsedTime(sentAt[seq], receivedAt[w, seq]).TotalMilliseconds;
                        slowest[seq] = Math.Max(slowest[seq], ms);
                        if (seq >= warmup)
                        {
                            delivery.Add(ms);
                        }
                    }
                }
            }

            // Which updates make the tail: one stalled update, or all of them a little.
            Step("  slowest updates (number: last delivery): " + string.Join(", ",
                slowest.Select((ms, seq) => (ms, seq)).Skip(warmup).OrderByDescending(u => u.ms).Take(3).Select(u => $"{u.seq}: {u.ms:F0} ms")));

            var failed = tasks.FirstOrDefault(t => t.IsFaulted);
            if (failed is not null)
            {
                throw new InvalidOperationException("a watcher failed", failed.Exception!.InnerException);
            }

            return new WatchResult(delivery, writes, watchers, ConnectionCount(server.Port), updates, missing, used, warmup, slowest.Take(warmup).DefaultIfEmpty().Max());
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>The data.seq of one MODIFIED watch event line of the fan-out configmap.</summary>
    private static int EventSequence(ReadOnlySpan<byte> line, int watcher)
    {
        var reader = new Utf8JsonReader(line);
        string? type = null;
        int? seq = null;
        var depth = 0;
        var inData = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                    depth--;
                    inData = false;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("type"u8):
                    reader.Read();
                    type = reader.GetString();
                    break;
                case JsonTokenType.PropertyName when depth == 2 && reader.ValueTextEquals("data"u8):
                    inData = true;
                    break;
                case JsonTokenType.PropertyName when inData && depth == 3 && reader.ValueTextEquals("seq"u8):
                    reader.Read();
                    seq = int.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
                    break;
                case JsonTokenType.StartArray:
                    reader.Skip();
                    break;
            }
        }

        if (type != "MODIFIED" || seq is null)
        {
            throw new InvalidOperationException($"watch {watcher}: unexpected event: {Encoding.UTF8.GetString(line)}");
        }

        return seq.Value;
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
