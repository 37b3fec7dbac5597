using Edge.Api.Meta;
using Edge.Api.OpenApi;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.OpenApi;

/// <summary>
/// <c>GET /openapi/v2</c> (JSON, or gnostic protobuf when asked) and <c>/openapi/v3[/&lt;group-version&gt;]</c>.
/// kubectl loads these for validation, apply's patch type and explain.
/// </summary>
public sealed class OpenApiEndpoint
{
    const string ProtobufType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    // What upstream answers with: Go's mime parser (kubectl) refuses the '@' of the Accept form.
    const string ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
    const string V3Prefix = "/openapi/v3/";

    public bool TryHandle(HttpContext context, out Task response)
    {
        response = Task.CompletedTask;
        var path = context.Request.Path.Value;
        if (path is null || !path.StartsWith("/openapi/", StringComparison.Ordinal) || !HttpMethods.IsGet(context.Request.Method))
        {
            return false;
        }

        if (path is "/openapi/v2" or "/openapi/v2/")
        {
            // kubectl 1.27/1.28 ask for protobuf first; anything else (curl, tools) gets JSON.
            var protobuf = context.Request.Headers.Accept.ToString().Contains(ProtobufType, StringComparison.Ordinal);
            response = Write(context, protobuf ? ProtobufContentType : "application/json", protobuf ? OpenApiDocuments.V2Protobuf() : OpenApiDocuments.V2Json());
            return true;
        }

        if (path is "/openapi/v3" or "/openapi/v3/")
        {
            response = Write(context, "application/json", OpenApiDocuments.V3Root());
            return true;
        }

        if (path.StartsWith(V3Prefix, StringComparison.Ordinal))
        {
            var groupVersion = path[V3Prefix.Length..].TrimEnd('/');
            if (OpenApiDocuments.V3GroupVersion(groupVersion) is { } body)
            {
                var hash = OpenApiDocuments.V3Hash(groupVersion)!;
                context.Response.Headers.ETag = $"\"{hash}\"";

                // As upstream: a request naming the current hash may be cached for good, since a
                // changed document gets a new URL; any other request must revalidate.
                context.Response.Headers.CacheControl = context.Request.Query["hash"] == hash
                    ? "public, immutable, max-age=31536000"
                    : "no-cache, private";
                response = Write(context, "application/json", body);
                return true;
            }
        }

        response = ApiRequestHandler.WriteStatusAsync(context, Status.Failure(
            StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource"));
        return true;
    }

    static Task Write(HttpContext context, string contentType, byte[] body)
    {
        // Exact content types: kubectl compares them as plain strings.
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
