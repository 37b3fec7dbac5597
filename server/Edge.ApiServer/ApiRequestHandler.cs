using System.Text.Json;
using Edge.Api;
using Edge.Api.Meta;
using Edge.ApiServer.Discovery;
using Edge.Api.Errors;
using Edge.ApiServer.Health;
using Edge.ApiServer.OpenApi;
using Edge.ApiServer.Requests;
using Edge.ApiServer.Resources;
using Edge.ApiServer.Version;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer;

/// <summary>
/// The single entry point of every HTTP request. Kubernetes paths are regular enough that one
/// dispatcher beats a routing table; anything it does not serve gets a 404 Status, as upstream.
/// Every failure becomes a Status: never a stack trace, never a hung request.
/// </summary>
public sealed class ApiRequestHandler(
    HealthChecks health, VersionEndpoint version, ResourceEndpoint? resources = null, ILogger? logger = null)
{
    private readonly OpenApiEndpoint _openApi = new();

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await DispatchAsync(context);
        }
        catch (ApiException e)
        {
            await TryWriteStatusAsync(context, e.Status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (e is BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException or IOException && context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            if (logger is not null)
            {
                ApiServerLog.Unhandled(logger, context.Request.Method, context.Request.Path.Value ?? "", e);
            }

            await TryWriteStatusAsync(context, Status.Failure(500, "InternalError", "Internal error occurred: the server failed to handle the request"));
        }
    }

    private Task DispatchAsync(HttpContext context)
    {
        if (HealthEndpoints.TryHandle(context, health, out var response) || version.TryHandle(context, out response))
        {
            return response;
        }

        var path = context.Request.Path.Value ?? "";
        if (resources is not null && (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/openapi", StringComparison.Ordinal)))
        {
            // Only clients with a certificate of the cluster's CA (checked by TLS) get past here;
            // authorization proper comes with RBAC.
            if (context.Connection.ClientCertificate is null)
            {
                throw new ApiException(Status.Failure(401, "Unauthorized", "Unauthorized"));
            }

            if (_openApi.TryHandle(context, out response) || DiscoveryEndpoint.TryHandle(context, out response))
            {
                return response;
            }

            if (ResourceRequest.Parse(path) is { } request)
            {
                return resources.HandleAsync(context, request);
            }
        }

        return WriteStatusAsync(context, Status.Failure(
            StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource"));
    }

    private static async Task TryWriteStatusAsync(HttpContext context, Status status)
    {
        if (context.Response.HasStarted)
        {
            // A streaming response (watch) cannot change its status any more: end it.
            context.Abort();
            return;
        }

        context.Response.Headers.Remove("Warning");
        await WriteStatusAsync(context, status);
    }

    /// <summary>Writes a meta/v1 Status with its code.</summary>
    public static Task WriteStatusAsync(HttpContext context, Status status)
    {
        context.Response.StatusCode = status.Code;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(status, ApiJsonContext.Default.Status)).AsTask();
    }
}
