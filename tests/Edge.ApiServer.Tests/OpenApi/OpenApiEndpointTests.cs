using System.Text.Json;
using Edge.Api.OpenApi;
using Edge.ApiServer.OpenApi;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Tests.OpenApi;

public class OpenApiEndpointTests
{
    private static async Task<(bool Handled, HttpResponse Response, byte[] Body)> GetAsync(string path, string query = "", string accept = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Request.Headers.Accept = accept;
        var body = new MemoryStream();
        context.Response.Body = body;
        var handled = new OpenApiEndpoint().TryHandle(context, out var response);
        await response;
        return (handled, context.Response, body.ToArray());
    }

    [Fact]
    public async Task V2_ProtobufWhenAsked_ElseJson()
    {
        var proto = await GetAsync("/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json");
        var json = await GetAsync("/openapi/v2", accept: "application/json, */*");

        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", proto.Response.ContentType);
        Assert.Equal(OpenApiDocuments.V2Protobuf(), proto.Body);
        Assert.Equal("application/json", json.Response.ContentType);
        Assert.Equal("2.0", JsonDocument.Parse(json.Body).RootElement.GetProperty("swagger").GetString());
    }

    [Fact]
    public async Task V3Root_ListsGroupVersions()
    {
        var root = await GetAsync("/openapi/v3");

        Assert.Equal("application/json", root.Response.ContentType);
        Assert.True(JsonDocument.Parse(root.Body).RootElement.GetProperty("paths").TryGetProperty("apis/batch/v1", out _));
    }

    [Fact]
    public async Task V3GroupVersion_MatchingHashIsImmutable_OtherwiseRevalidated()
    {
        var hash = OpenApiDocuments.V3Hash("apis/apps/v1");
        var hashed = await GetAsync("/openapi/v3/apis/apps/v1", $"?hash={hash}");
        var plain = await GetAsync("/openapi/v3/apis/apps/v1");

        Assert.Equal(200, hashed.Response.StatusCode);
        Assert.Equal($"\"{hash}\"", hashed.Response.Headers.ETag.ToString());
        Assert.Contains("immutable", hashed.Response.Headers.CacheControl.ToString());
        Assert.Equal("no-cache, private", plain.Response.Headers.CacheControl.ToString());
        Assert.Equal(OpenApiDocuments.V3GroupVersion("apis/apps/v1"), plain.Body);
    }

    [Fact]
    public async Task UnknownOpenApiPath_404Status()
    {
        var result = await GetAsync("/openapi/v3/apis/example.com/v1");

        Assert.True(result.Handled);
        Assert.Equal(404, result.Response.StatusCode);
        Assert.Equal("NotFound", JsonDocument.Parse(result.Body).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task OtherPaths_NotHandled()
    {
        Assert.False((await GetAsync("/openapi")).Handled);
        Assert.False((await GetAsync("/api/v1")).Handled);
    }
}
