using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Edge.Bench.Api;

public static partial class ApiBench
{
    // A small pod as a Deployment's template would make it; the server adds its defaults. It names
    // a scheduler that does not run: with no nodes in this benchmark, the built-in scheduler would
    // otherwise write a FailedScheduling event and status for every pod, which measures a cluster
    // without nodes rather than the API path (the control loops have their own benchmark).
    private const string PodTemplate = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","labels":{"app":"bench","tier":"web","pod-template-hash":"7d9c8f6b5"}},
        "spec":{"schedulerName":"bench-no-scheduler","containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"memory":"128Mi"}},
        "readinessProbe":{"httpGet":{"path":"/healthz","port":80},"periodSeconds":5}}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":30}}
        """;

    private sealed record CreateResult(int Count, TimeSpan Elapsed, Latencies Latencies, CpuUse Cpu)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;

        /// <summary>CPU per create, server / this load generator, in ms: on 2 cores they share, what bounds the rate.</summary>
        public string CpuPerCreate => $"{Cpu.Server.TotalMilliseconds / Count:F2} / {Cpu.Client.TotalMilliseconds / Count:F2} ms";
    }

    /// <summary>
    /// <paramref name="clients"/> concurrent clients, each with its own connection, POSTing pods
    /// with unique names back to back until <paramref name="duration"/> has passed or
    /// <paramref name="total"/> pods exist.
    /// </summary>
    private static async Task<CreateResult> CreatePodsAsync(
        EdgeServerProcess server, string ns, int clients, TimeSpan? duration, int? total, CancellationToken cancellationToken)
    {
        var http = Enumerable.Range(0, clients).Select(_ => AdminClient.Create(server)).ToArray();
        try
        {
            // The TLS handshakes happen here, outside the measurement.
            await Task.WhenAll(http.Select(c => SendAsync(c, HttpMethod.Get, $"/api/v1/namespaces/{ns}", null, HttpStatusCode.OK, cancellationToken)));
            var issued = 0;
            var perClient = new Latencies[clients];
            var cpu = CpuUse.Start(server);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var latencies = perClient[c] = new Latencies();
                while (!cancellationToken.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref issued);
                    if ((total is { } t && n > t) || (duration is { } d && clock.Elapsed >= d))
                    {
                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(PodTemplate.Replace("NAME", $"pod-{c}-{n}", StringComparison.Ordinal));
                    var start = Stopwatch.GetTimestamp();
                    await SendAsync(http[c], HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", body, HttpStatusCode.Created, cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }, cancellationToken)));
            var elapsed = clock.Elapsed;
            var used = cpu.Stop();
            var all = new Latencies();
            foreach (var latencies in perClient)
            {
                all.AddRange(latencies);
            }

            return new CreateResult(all.Count, elapsed, all, used);
        }
        finally
        {
            foreach (var c in http)
            {
                c.Dispose();
            }
        }
    }

    private static async Task<byte[]> SendAsync(
        HttpClient client, HttpMethod method, string path, byte[]? body, HttpStatusCode expected, CancellationToken cancellationToken,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        }

        return bytes;
    }
}
