using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Bookmarks as client-go's reflector relies on them: with <c>allowWatchBookmarks</c>, a watch that
/// has been quiet for the bookmark interval (30 s) gets a BOOKMARK carrying the newest revision it
/// has seen; every delivered event starts the quiet interval again.
/// </summary>
public sealed class WatchBookmarkTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task QuietWatch_GetsABookmark_ThirtySecondsAfterItsLastEvent()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        using var client = server.CreateAdminClient();
        client.Timeout = TimeSpan.FromSeconds(120);
        var ns = "bookmarks-" + Guid.NewGuid().ToString("N")[..6];
        await SendAsync(client, HttpMethod.Post, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        var created = await SendAsync(client, HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":{"n":"0"}}""");
        var from = created["metadata"]!["resourceVersion"]!.GetValue<string>();

        using var watch = await client.GetAsync(
            $"/api/v1/namespaces/{ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={from}&timeoutSeconds=100",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        using var lines = new StreamReader(await watch.Content.ReadAsStreamAsync());

        // Three changes 6 s apart: a timer that the events did not restart would fire 12 s too early.
        var lastVersion = "";
        var lastEventAt = 0L;
        for (var n = 1; n <= 3; n++)
        {
            if (n > 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(6));
            }

            await SendAsync(client, HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/cm", $$$"""{"data":{"n":"{{{n}}}"}}""", "application/merge-patch+json");
            var modified = JsonNode.Parse((await lines.ReadLineAsync())!)!;
            lastEventAt = Stopwatch.GetTimestamp();
            Assert.Equal("MODIFIED", modified["type"]!.GetValue<string>());
            Assert.Equal(n.ToString(), modified["object"]!["data"]!["n"]!.GetValue<string>());
            lastVersion = modified["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>();
        }

        var bookmark = JsonNode.Parse((await lines.ReadLineAsync())!)!;
        var quiet = Stopwatch.GetElapsedTime(lastEventAt);

        Assert.Equal("BOOKMARK", bookmark["type"]!.GetValue<string>());
        Assert.Equal(lastVersion, bookmark["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.GetValue<string>());
        Assert.InRange(quiet.TotalSeconds, 29, 45);
    }

    private static async Task<JsonNode> SendAsync(HttpClient client, HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
