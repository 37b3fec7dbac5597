using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Ten thousand hostile requests from a fixed seed against one real server: none may be a 5xx
/// (but for the two upstream answers in <see cref="IsUpstreamServerError"/>), every error must be
/// a Status, the server must log no failure, and the objects made before must come through
/// unchanged, also after a restart. A failure names the request index; <see cref="FuzzCorpus.Get"/>
/// rebuilds it.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20250917;
    private const int Requests = 10_400;
    private const int Concurrency = 8;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(100);

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task HostileRequests_NeverFailTheServerOrTouchOtherObjects()
    {
        var port = FreePort.Next();
        var offenders = new ConcurrentQueue<string>();
        var counts = new ConcurrentDictionary<string, int>();
        var sent = 0;
        Dictionary<string, JsonNode> before;
        await using (var server = await ServerProcess.StartAsync(_temp, port: port))
        {
            using var client = AdminClient(server);
            await CreateKeptObjectsAsync(client);
            before = await ReadKeptObjectsAsync(client);

            var corpus = new FuzzCorpus(Seed);
            var clock = Stopwatch.StartNew();
            using var budget = new CancellationTokenSource(Budget);
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = budget.Token }, async (index, token) =>
                {
                    var request = corpus.Get(index);
                    var problem = await SendAndCheckAsync(client, request, token);
                    counts.AddOrUpdate(request.Category, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref sent);
                    if (problem is not null && offenders.Count < 20)
                    {
                        offenders.Enqueue($"{request}\n    => {problem}");
                    }
                });
            }
            catch (OperationCanceledException) when (budget.IsCancellationRequested)
            {
                Assert.Fail($"only {sent} of {Requests} requests were answered in {Budget.TotalSeconds} s; first problems:\n" + string.Join("\n", offenders.Take(8)) + "\nserver log:\n" + Failures(server.Output));
            }

            output.WriteLine($"{sent} requests in {clock.Elapsed.TotalSeconds:F1} s (seed {Seed}): " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));

            Assert.True(offenders.IsEmpty, $"{offenders.Count}+ bad answers (seed {Seed}):\n" + string.Join("\n", offenders.Take(8)) + "\nserver log:\n" + Failures(server.Output));
            Assert.False(server.HasExited, "edge-server died:\n" + server.Output);
            Assert.True(Failures(server.Output).Length == 0, "the server logged failures:\n" + Failures(server.Output));

            await AssertKeptObjectsAsync(client, before);
            await AssertCreateAndGetWorkAsync(client, "after-fuzz");
            Assert.Equal(0, await server.StopAsync());
        }

        await using var restarted = await ServerProcess.StartAsync(_temp, port: port);
        using var again = AdminClient(restarted);
        await AssertKeptObjectsAsync(again, before);
        await AssertCreateAndGetWorkAsync(again, "after-restart");
    }

    /// <summary>Sends one request; returns what is wrong with the answer, or null.</summary>
    private static async Task<string?> SendAndCheckAsync(HttpClient client, FuzzRequest fuzz, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), new Uri(fuzz.Target, UriKind.Relative));
        if (fuzz.Body is not null)
        {
            request.Content = fuzz.Chunked ? new StreamContent(new UnseekableStream(fuzz.Body)) : new ByteArrayContent(fuzz.Body);
            request.Headers.TransferEncodingChunked = fuzz.Chunked ? true : null;
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        HttpResponseMessage response;
        try
        {
            // Headers only: a fuzzed watch that happens to be valid streams until we hang up.
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"no answer: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}";
        }

        using (response)
        {
            var code = (int)response.StatusCode;
            if (code >= 500)
            {
                var text = await ReadBodyAsync(response, cancellationToken);
                return IsUpstreamServerError(fuzz, code, text) ? null : $"{code}: {Shorten(text)}";
            }

            if (fuzz.ExpectStatus is { } expected && code != expected)
            {
                return $"expected {expected}, got {code}: {Shorten(await ReadBodyAsync(response, cancellationToken))}";
            }

            if (code < 400 || fuzz.Method == "HEAD")
            {
                return null;
            }

            var body = await ReadBodyAsync(response, cancellationToken);
            if (body.Length == 0 && code == 400 && CarriesNul(fuzz))
            {
                // Kestrel refuses a NUL in the request target or a header before the API sees the
                // request: not valid HTTP, so no Status (upstream's Go server answers plain text too).
                return null;
            }

            try
            {
                using var status = JsonDocument.Parse(body);
                var root = status.RootElement;
                if (root.GetProperty("kind").GetString() != "Status" || root.GetProperty("apiVersion").GetString() != "v1" ||
                    root.GetProperty("code").GetInt32() != code || root.GetProperty("status").GetString() != "Failure")
                {
                    return $"{code} with a body that is not a matching Status: {Shorten(body)}";
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return $"{code} with a body that is not a Status ({e.Message}): {Shorten(body)}";
            }

            return null;
        }
    }

    /// <summary>
    /// The one 5xx kept from upstream on purpose: a resourceVersion ahead of the store is 504 "Too
    /// large resource version", which client-go's reflector recognises by code and reason and waits
    /// out. (Strategic merge patch errors upstream leaves as a bare 500 are 400s in Edge.)
    /// </summary>
    private static bool IsUpstreamServerError(FuzzRequest fuzz, int code, string body)
    {
        try
        {
            using var status = JsonDocument.Parse(body);
            var root = status.RootElement;
            var reason = root.TryGetProperty("reason", out var r) ? r.GetString() : "";
            var message = root.GetProperty("message").GetString() ?? "";
            return root.GetProperty("kind").GetString() == "Status" && root.GetProperty("code").GetInt32() == code &&
                code == 504 && reason == "Timeout" && message.StartsWith("Too large resource version", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool CarriesNul(FuzzRequest fuzz) =>
        fuzz.Target.Contains("%00", StringComparison.Ordinal) || fuzz.ContentType?.Contains('\0') == true;

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        return await response.Content.ReadAsStringAsync(timeout.Token);
    }

    private static HttpClient AdminClient(ServerProcess server) => server.CreateAdminClient();

    private static async Task CreateKeptObjectsAsync(HttpClient client)
    {
        foreach (var ns in new[] { FuzzCorpus.Kept, FuzzCorpus.Target })
        {
            await PostAsync(client, "/api/v1/namespaces", JsonText.Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@0@"}}""", ns));
        }

        for (var i = 0; i < 3; i++)
        {
            await PostAsync(client, $"/api/v1/namespaces/{FuzzCorpus.Kept}/configmaps",
                JsonText.Fill("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kept-@0@","labels":{"app":"fz"}},"data":{"i":"@1@"}}""", i, i));
        }

        await PostAsync(client, $"/apis/apps/v1/namespaces/{FuzzCorpus.Kept}/deployments", Deployment("kept"));

        // The victims the fuzzer patches, replaces and deletes: the same shapes as the kept ones.
        var target = FuzzCorpus.Target;
        await PostAsync(client, $"/api/v1/namespaces/{target}/configmaps", JsonText.Fill("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"@0@"},"data":{"k":"v"}}""", FuzzCorpus.Victim));
        await PostAsync(client, $"/apis/apps/v1/namespaces/{target}/deployments", Deployment(FuzzCorpus.Victim));
        await PostAsync(client, $"/api/v1/namespaces/{target}/pods",
            JsonText.Fill("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"@0@"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""", FuzzCorpus.Victim));
    }

    private static string Deployment(string name) =>
        JsonText.Fill("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"@0@"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"fz"}},"template":{"metadata":{"labels":{"app":"fz"}},"spec":{"containers":[{"name":"c","image":"nginx","env":[{"name":"A","value":"1"}]}]}}}}""", name);

    private static async Task PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Every object of the kept namespace (and the namespace itself), by path.</summary>
    private static async Task<Dictionary<string, JsonNode>> ReadKeptObjectsAsync(HttpClient client)
    {
        var objects = new Dictionary<string, JsonNode>
        {
            ["namespace"] = JsonNode.Parse(await client.GetStringAsync($"/api/v1/namespaces/{FuzzCorpus.Kept}"))!,
        };
        foreach (var list in new[] { $"/api/v1/namespaces/{FuzzCorpus.Kept}/configmaps", $"/apis/apps/v1/namespaces/{FuzzCorpus.Kept}/deployments" })
        {
            foreach (var item in JsonNode.Parse(await client.GetStringAsync(list))!["items"]!.AsArray())
            {
                objects[$"{list}/{item!["metadata"]!["name"]}"] = UserOwned(item);
            }
        }

        return objects;
    }

    /// <summary>
    /// The parts of an object only its users write: the controllers keep a Deployment's status,
    /// resourceVersion and revision annotation moving while the fuzzer runs.
    /// </summary>
    private static JsonNode UserOwned(JsonNode item)
    {
        var copy = item.DeepClone().AsObject();
        copy.Remove("status");
        var metadata = copy["metadata"]!.AsObject();
        metadata.Remove("resourceVersion");
        if (metadata["annotations"] is JsonObject annotations)
        {
            annotations.Remove("deployment.kubernetes.io/revision");
            if (annotations.Count == 0)
            {
                metadata.Remove("annotations");
            }
        }

        return copy;
    }

    private static async Task AssertKeptObjectsAsync(HttpClient client, Dictionary<string, JsonNode> before)
    {
        var after = await ReadKeptObjectsAsync(client);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (path, obj) in before)
        {
            Assert.True(JsonNode.DeepEquals(obj, after[path]), $"{path} changed:\nbefore {obj.ToJsonString()}\nafter  {after[path].ToJsonString()}");
        }

        Assert.Contains($"/api/v1/namespaces/{FuzzCorpus.Kept}/configmaps/kept-2", after.Keys);
        Assert.Contains($"/apis/apps/v1/namespaces/{FuzzCorpus.Kept}/deployments/kept", after.Keys);
    }

    private static async Task AssertCreateAndGetWorkAsync(HttpClient client, string name)
    {
        await PostAsync(client, "/api/v1/namespaces", JsonText.Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@0@"}}""", name));
        await PostAsync(client, $"/api/v1/namespaces/{name}/configmaps",
            JsonText.Fill("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"@0@"},"data":{"ok":"yes"}}""", name));
        var got = JsonNode.Parse(await client.GetStringAsync($"/api/v1/namespaces/{name}/configmaps/{name}"))!;
        Assert.Equal("yes", (string?)got["data"]!["ok"]);
    }

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;

    /// <summary>The error lines of the server's log, the first few, shortened.</summary>
    private static string Failures(string log) => string.Join("\n", log.Split('\n')
        .Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))
        .Take(8).Select(l => l.Length > 700 ? l[..700] + "…" : l));

    /// <summary>A body stream without a length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
