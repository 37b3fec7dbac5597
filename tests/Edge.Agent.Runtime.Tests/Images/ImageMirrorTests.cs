using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Images;

namespace Edge.Agent.Runtime.Tests.Images;

public sealed class ImageMirrorTests : IAsyncLifetime
{
    private readonly TempDir _temp = new();
    private readonly List<string> _log = [];
    private ImageMirror _mirror = null!;
    private HttpClient _http = null!;

    private string ImagesDir => _temp["data/images"];

    public async Task InitializeAsync()
    {
        _mirror = new ImageMirror(ImageMirrorOptions.ForDataDir(_temp["data"]), line => { lock (_log) { _log.Add(line); } });
        await _mirror.StartAsync(CancellationToken.None);
        _http = new HttpClient { BaseAddress = _mirror.Endpoint };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _mirror.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Manifest_ByTagWithNs_ExactMediaTypeAndDigest()
    {
        var digest = TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));
        _mirror.Rescan();

        using var response = await _http.GetAsync("/v2/tiny/manifests/1?ns=edge.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OciMediaTypes.ImageManifest, response.Content.Headers.ContentType!.ToString());
        Assert.Equal(digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, OciImageWriter.Digest(body));
    }

    [Fact]
    public async Task HeadThenGetByDigest_ThenBlobs_AsContainerdPulls()
    {
        var digest = TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));
        _mirror.Rescan();

        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/tiny/manifests/1?ns=edge.test"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.True(head.Content.Headers.ContentLength > 0);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var manifest = JsonNode.Parse(await _http.GetByteArrayAsync($"/v2/tiny/manifests/{digest}?ns=edge.test"))!;
        foreach (var descriptor in manifest["layers"]!.AsArray().Append(manifest["config"]))
        {
            var blobDigest = (string)descriptor!["digest"]!;
            var blob = await _http.GetByteArrayAsync($"/v2/tiny/blobs/{blobDigest}?ns=edge.test");
            Assert.Equal(blobDigest, OciImageWriter.Digest(blob));
            Assert.Equal((long)descriptor["size"]!, blob.Length);
        }
    }

    [Fact]
    public async Task Unknown_NameTagOrDigest_RegistryStyle404()
    {
        TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));
        _mirror.Rescan();

        await AssertError("/v2/nothing/manifests/1?ns=edge.test", "NAME_UNKNOWN");
        await AssertError("/v2/tiny/manifests/2?ns=edge.test", "MANIFEST_UNKNOWN");
        await AssertError("/v2/tiny/manifests/1?ns=other.host", "MANIFEST_UNKNOWN");
        await AssertError("/v2/tiny/blobs/sha256:" + new string('0', 64), "BLOB_UNKNOWN");
        using var post = await _http.PostAsync("/v2/tiny/blobs/uploads/", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task DockerArchive_HostlessName_AnswersForAnyRegistryUnderLibrary()
    {
        var layer = OciImageWriter.LayerTar([new LayerFile("hello", "hi"u8.ToArray(), (UnixFileMode)0x1A4)]);
        TestArchives.WriteDockerArchive(Path.Combine(ImagesDir, "saved.tar"), "busybox:latest", layer);
        _mirror.Rescan();

        using var response = await _http.GetAsync("/v2/library/busybox/manifests/latest?ns=some.registry.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OciMediaTypes.ImageManifest, response.Content.Headers.ContentType!.ToString());
        var manifest = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync())!;
        var layerDigest = (string)manifest["layers"]![0]!["digest"]!;
        Assert.Equal(layer, await _http.GetByteArrayAsync($"/v2/library/busybox/blobs/{layerDigest}"));
    }

    [Fact]
    public async Task TarZst_DecompressedOnceAndServed()
    {
        var digest = TestArchives.WriteOci(_temp["tiny.tar"], TestArchives.Tiny("edge.test/zst:1"));
        TestArchives.Compress(_temp["tiny.tar"], Path.Combine(ImagesDir, "tiny.tar.zst"));
        _mirror.Rescan();

        using var response = await _http.GetAsync("/v2/zst/manifests/1?ns=edge.test");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(digest, OciImageWriter.Digest(await response.Content.ReadAsByteArrayAsync()));
        Assert.Single(Directory.GetFiles(_temp["data/cache/images"], "*.tar"));
        File.Delete(Path.Combine(ImagesDir, "tiny.tar.zst"));
        _mirror.Rescan();
        Assert.Empty(Directory.GetFiles(_temp["data/cache/images"], "*.tar"));
    }

    [Fact]
    public async Task NewArchive_ServedWithoutRestart()
    {
        await AssertError("/v2/later/manifests/1?ns=edge.test", "NAME_UNKNOWN");
        // Written elsewhere and renamed in, as `edge-agent images import` does.
        TestArchives.WriteOci(_temp["later.tar"], TestArchives.Tiny("edge.test/later:1"));
        File.Move(_temp["later.tar"], Path.Combine(ImagesDir, "later.tar"));

        // The watcher rescans within a moment; a miss after the rescan interval rescans too.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            using var response = await _http.GetAsync("/v2/later/manifests/1?ns=edge.test");
            status = response.StatusCode;
            await Task.Delay(100);
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task UnreadableArchive_SkippedWithAReason_OthersServed()
    {
        File.WriteAllText(Path.Combine(ImagesDir, "broken.tar"), new string('x', 2048));
        TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));

        _mirror.Rescan();

        using var response = await _http.GetAsync("/v2/tiny/manifests/1?ns=edge.test");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(_mirror.Problems, p => p.Contains("broken.tar is not a tar archive"));
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /v2/ HTTP/9.9\r\n\r\n")]
    [InlineData("GET no-slash HTTP/1.1\r\n\r\n")]
    [InlineData("GET /v2/ HTTP/1.1\r\nno colon here\r\n\r\n")]
    [InlineData("\0\0\0\0\r\n\r\n")]
    public async Task GarbageRequest_400AndClosed_ServerKeepsServing(string request)
    {
        var response = await RawAsync(Encoding.Latin1.GetBytes(request));

        Assert.StartsWith("HTTP/1.1 400 ", response);
        Assert.Contains("Connection: close", response);
        using var after = await _http.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task OversizedHead_431()
    {
        var response = await RawAsync(Encoding.ASCII.GetBytes("GET /v2/ HTTP/1.1\r\nX: " + new string('a', 20000) + "\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 431 ", response);
    }

    [Fact]
    public async Task KeepAlive_TwoRequestsOnOneConnection()
    {
        TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));
        _mirror.Rescan();
        var request = "HEAD /v2/tiny/manifests/1?ns=edge.test HTTP/1.1\r\nHost: x\r\n\r\n";

        var response = await RawAsync(Encoding.ASCII.GetBytes(request + request.Replace("HEAD", "GET") + "GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n"));

        Assert.Equal(3, response.Split("HTTP/1.1 200 OK").Length - 1);
    }

    [Fact]
    public async Task ConcurrentClients_AllServed()
    {
        var digest = TestArchives.WriteOci(Path.Combine(ImagesDir, "tiny.tar"), TestArchives.Tiny("edge.test/tiny:1"));
        _mirror.Rescan();
        // A silent client holds a connection open; the others must not wait for it.
        using var idle = new TcpClient();
        await idle.ConnectAsync(IPAddress.Loopback, _mirror.Port);

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            using var client = new HttpClient { BaseAddress = _mirror.Endpoint };
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(OciMediaTypes.ImageManifest));
            var bodies = new List<string>();
            for (var i = 0; i < 5; i++)
            {
                bodies.Add(OciImageWriter.Digest(await client.GetByteArrayAsync("/v2/tiny/manifests/1?ns=edge.test")));
            }

            return bodies;
        }));

        Assert.All(results.SelectMany(r => r), d => Assert.Equal(digest, d));
    }

    [Fact]
    public void WriteHostsConfig_DefaultHostsTomlPointsAtTheMirror()
    {
        _mirror.WriteHostsConfig(_temp["certs.d"]);

        Assert.Equal(["_default"], Directory.GetDirectories(_temp["certs.d"]).Select(Path.GetFileName));
        var toml = File.ReadAllText(_temp["certs.d/_default/hosts.toml"]);
        Assert.Contains($"[host.\"http://127.0.0.1:{_mirror.Port}\"]", toml);
        Assert.Contains("capabilities = [\"pull\", \"resolve\"]", toml);
    }

    private async Task AssertError(string path, string code)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.Equal(code, (string)error["code"]!);
    }

    private async Task<string> RawAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _mirror.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
