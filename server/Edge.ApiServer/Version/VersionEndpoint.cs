using System.Text.Json;
using Edge.Api;
using Edge.Api.Meta;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Version;

/// <summary><c>GET /version</c>: what <c>kubectl version</c> prints as the server version.</summary>
public sealed class VersionEndpoint(VersionInfo info)
{
    private readonly byte[] _body = JsonSerializer.SerializeToUtf8Bytes(info, ApiJsonContext.Default.VersionInfo);

    public bool TryHandle(HttpContext context, out Task response)
    {
        response = Task.CompletedTask;
        if (context.Request.Path.Value is not ("/version" or "/version/") || !HttpMethods.IsGet(context.Request.Method))
        {
            return false;
        }

        // Exactly application/json: kubectl 1.27 compares content types as plain strings.
        context.Response.ContentType = "application/json";
        response = context.Response.Body.WriteAsync(_body).AsTask();
        return true;
    }
}
