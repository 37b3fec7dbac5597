using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Bench.Api;

namespace Edge.Bench.Scheduler;

/// <summary>
/// The whole control plane end to end: the published edge-server with hollow nodes registered
/// through the API, a 100-replica Deployment POSTed, and the time until every one of its pods is
/// bound, as seen by a watch — Deployment controller, ReplicaSet controller, scheduler and
/// binding, all through the real registry and store.
/// </summary>
public static class ApplyToBoundBench
{
    public static async Task<(TimeSpan FirstBound, TimeSpan AllBound)> RunAsync(string binary, int nodes, int replicas, CancellationToken cancellationToken)
    {
        using var temp = new Scratch();
        await using var server = await EdgeServerProcess.StartAsync(binary, temp.Dir("data"), temp.Dir("admin.kubeconfig"), cancellationToken);
        using var http = AdminClient.Create(server);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        for (var i = 0; i < nodes; i++)
        {
            await PostAsync(http, "/api/v1/nodes", $$$"""
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"hollow-{{{i}}}","labels":{"kubernetes.io/hostname":"hollow-{{{i}}}"}},
                 "status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"},"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"},
                           "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","lastHeartbeatTime":"{{{now}}}","lastTransitionTime":"{{{now}}}"}]} }
                """, cancellationToken);
        }

        // Let the scheduler's informer take the nodes in before the clock starts.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var list = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/pods", cancellationToken))!;
        var revision = (string)list["metadata"]!["resourceVersion"]!;
        using var watchRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/default/pods?watch=1&resourceVersion={revision}");
        using var watch = await http.SendAsync(watchRequest, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(cancellationToken));

        var clock = Stopwatch.StartNew();
        await PostAsync(http, "/apis/apps/v1/namespaces/default/deployments", $$$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"bench"},
             "spec":{"replicas":{{{replicas}}},"selector":{"matchLabels":{"app":"bench"}},
                     "template":{"metadata":{"labels":{"app":"bench"}},
                                 "spec":{"containers":[{"name":"c","image":"bench:1","resources":{"requests":{"cpu":"10m","memory":"16Mi"} } }]} } } }
            """, cancellationToken);
        var bound = new HashSet<string>();
        TimeSpan? first = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        while (bound.Count < replicas && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            var pod = JsonNode.Parse(line)?["object"];
            if (pod?["spec"]?["nodeName"] is JsonValue && bound.Add((string)pod["metadata"]!["name"]!))
            {
                first ??= clock.Elapsed;
            }
        }

        if (bound.Count < replicas)
        {
            throw new InvalidOperationException($"only {bound.Count} of {replicas} pods were bound");
        }

        return (first!.Value, clock.Elapsed);
    }

    private static async Task PostAsync(HttpClient http, string path, string json, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(path, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
