using System.Text.Json;
using Edge.Api;
using Edge.Api.Meta;
using Edge.ApiServer.Health;
using Edge.ApiServer.Version;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer;

/// <summary>
/// The single entry point of every HTTP request. Kubernetes paths are regular enough that one
/// dispatcher beats a routing table; anything it does not serve gets a 404 Status, as upstream.
/// </summary>
public sealed class ApiRequestHandler(HealthChecks health, VersionEndpoint version)
{
    public Task HandleAsync(HttpContext context)
    {
        if (HealthEndpoints.TryHandle(context, health, out var response) || version.TryHandle(context, out response))
        {
            return response;
        }

        return WriteStatusAsync(context, Status.Failure(
            StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource"));
    }

    /// <summary>Writes a meta/v1 Status with its code.</summary>
    public static Task WriteStatusAsync(HttpContext context, Status status)
    {
        context.Response.StatusCode = status.Code;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(status, ApiJsonContext.Default.Status)).AsTask();
    }
}
