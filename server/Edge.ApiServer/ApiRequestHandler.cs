using System.Diagnostics;
using System.Text.Json;
using Edge.ApiServer.Audit;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
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
    HealthChecks health, VersionEndpoint version, ApiSecurity security, ResourceEndpoint? resources = null, ILogger? logger = null)
{
    private static readonly System.Text.RegularExpressions.Regex OlderSelfSubjectReview =
        new("^/apis/authentication\\.k8s\\.io/v1(beta1|alpha1)/selfsubjectreviews/?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private readonly OpenApiEndpoint _openApi = new();

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var clientAborted = context.RequestAborted;
        using var timeout = new CancellationTokenSource();
        CancellationTokenSource? linked = null;
        AuthorizationAttributes? attributes = null;
        var inFlight = false;
        try
        {
            var user = await security.Authenticator.AuthenticateAsync(context, clientAborted);
            context.SetUser(user);
            var path = context.Request.Path.Value ?? "";
            var isPublic = ApiSecurity.IsPublicPath(path);
            if (!isPublic && user == UserInfo.Anonymous)
            {
                throw RequestAuthenticator.Unauthorized();
            }

            if (security.RateLimiter?.TryAcquire(user, context.Connection.RemoteIpAddress?.ToString() ?? "") is > 0 and var wait)
            {
                throw TooManyRequests(context, wait);
            }

            // kubectl 1.27's whoami asks the beta and alpha SelfSubjectReview, served as v1 (same shape).
            var request = resources is not null && path.StartsWith("/api", StringComparison.Ordinal)
                ? ResourceRequest.Parse(OlderSelfSubjectReview.IsMatch(path) ? "/apis/authentication.k8s.io/v1/selfsubjectreviews" : path)
                : null;
            attributes = request is null ? RequestAttributes.ForPath(user, context.Request) : RequestAttributes.ForResource(user, request, context.Request);
            if (!isPublic)
            {
                var decision = await security.Authorizer.AuthorizeAsync(attributes, clientAborted);
                if (decision.Decision != AuthorizationDecision.Allow)
                {
                    throw new ApiException(Forbidden.For(attributes, decision.Reason));
                }
            }

            if (!IsLongRunning(attributes, context.Request))
            {
                if (security.InFlight is { } limiter && !user.IsInGroup(UserInfo.SystemMasters))
                {
                    if (!limiter.TryEnter())
                    {
                        throw TooManyRequests(context, 1);
                    }

                    inFlight = true;
                }

                timeout.CancelAfter(security.RequestTimeout);
                linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
                context.RequestAborted = linked.Token;
            }

            await DispatchAsync(context, request);
        }
        catch (ApiException e)
        {
            await TryWriteStatusAsync(context, e.Status);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !clientAborted.IsCancellationRequested)
        {
            await TryWriteStatusAsync(context, Status.Failure(504, "Timeout", "Timeout: request did not complete within the allotted timeout"));
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (e is BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException or IOException && clientAborted.IsCancellationRequested)
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
        finally
        {
            linked?.Dispose();
            if (inFlight)
            {
                security.InFlight!.Exit();
            }

            security.Audit?.Add(new AuditRecord(
                DateTimeOffset.UtcNow,
                attributes ?? RequestAttributes.ForPath(context.GetUser(), context.Request),
                context.Request.Method,
                context.Request.Path.Value + context.Request.QueryString.Value,
                context.Connection.RemoteIpAddress?.ToString() ?? "",
                context.Request.Headers.UserAgent.ToString(),
                context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
    }

    private Task DispatchAsync(HttpContext context, ResourceRequest? request)
    {
        if (HealthEndpoints.TryHandle(context, health, out var response) || version.TryHandle(context, out response))
        {
            return response;
        }

        var path = context.Request.Path.Value ?? "";
        if (resources is not null && (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/openapi", StringComparison.Ordinal)))
        {
            if (_openApi.TryHandle(context, out response) || DiscoveryEndpoint.TryHandle(context, out response))
            {
                return response;
            }

            // Reviews are in the catalog for discovery but never stored: answered before the registry.
            if (security.Reviews is { } reviews && reviews.TryHandle(context, out response))
            {
                return response;
            }

            if (request is not null)
            {
                return resources.HandleAsync(context, request);
            }
        }

        return WriteStatusAsync(context, Status.Failure(
            StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource"));
    }

    /// <summary>Watches and streamed logs may last as long as the client wants: no timeout, no in-flight slot.</summary>
    private static bool IsLongRunning(AuthorizationAttributes attributes, HttpRequest request) =>
        attributes.Verb == "watch" || (attributes.IsResourceRequest && attributes.Subresource is "log" or "exec" or "attach" or "portforward" or "proxy");

    private static ApiException TooManyRequests(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ApiException(Status.Failure(429, "TooManyRequests", "Too many requests, please try again later.") with
        {
            Details = new StatusDetails { RetryAfterSeconds = retryAfterSeconds },
        });
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
