using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Edge.Api.Meta;
using Edge.ApiServer;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Logs;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Watch;
using Edge.NodeChannel;
using Edge.Server.Pki;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Edge.Server.NodeHub;

/// <summary>What every node's stream uses.</summary>
public sealed record NodeHubParts(WatchCache WatchCache, NodeStateReader Reader, NodeStatusWriter Writer);

/// <summary>
/// NodeHub's gRPC transport: <c>POST /edge.node.v1.NodeChannel/Connect</c> on the API's own
/// HTTPS port, HTTP/2 only, framed by hand (<see cref="GrpcFrame"/>) in front of the API's
/// dispatcher — Grpc.AspNetCore would need endpoint routing, which this server leaves out. Only a
/// node's client certificate of the cluster CA (<c>CN=system:node:&lt;name&gt;</c>,
/// <c>O=system:nodes</c>) gets a stream; anything else ends at once with UNAUTHENTICATED or
/// PERMISSION_DENIED. Every failure is a gRPC status in the trailers; no stream can take the hub down.
/// It also knows which nodes are connected, and asks them for pod logs (<see cref="IPodLogs"/>).
/// </summary>
public sealed class NodeChannelHub(NodeHubParts parts, X509Certificate2 authority, ILogger logger, TimeProvider time) : IPodLogs, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, NodeSession> _sessions = new(StringComparer.Ordinal);

    public static NodeChannelHub Create(ObjectRegistry registry, WatchCache watchCache, X509Certificate2 authority, ILogger logger, TimeProvider time) =>
        new(new NodeHubParts(watchCache, new NodeStateReader(registry), new NodeStatusWriter(registry, new NodeAuthorizer(registry))), authority, logger, time);

    /// <summary>Middleware: serves the Connect path, passes everything else on.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next) =>
        context.Request.Path.Value == NodeChannelProtocol.ConnectPath ? ServeAsync(context) : next(context);

    /// <summary>Ends every stream with UNAVAILABLE (the agents reconnect to this or another server), so shutdown need not wait for them.</summary>
    public void Stop() => _stopping.Cancel();

    private async Task ServeAsync(HttpContext context)
    {
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) || !HttpMethods.IsPost(context.Request.Method)
            || context.Request.ContentType?.StartsWith(NodeChannelProtocol.ContentType, StringComparison.Ordinal) != true)
        {
            // Not a gRPC call at all: an HTTP answer, as for any other wrong request.
            await ApiRequestHandler.WriteStatusAsync(context, Status.Failure(415, "UnsupportedMediaType",
                $"{NodeChannelProtocol.ConnectPath} is a gRPC call: POST over HTTP/2 with content-type {NodeChannelProtocol.ContentType}"));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = NodeChannelProtocol.ContentType;
        context.Response.Headers["grpc-accept-encoding"] = "identity";
        // A stream lives for days: Kestrel's body-size cap and minimum data rates are for requests.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } requestRate)
        {
            requestRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } responseRate)
        {
            responseRate.MinDataRate = null;
        }

        var (user, refusal) = Authenticate(context.Connection.ClientCertificate);
        if (user is null)
        {
            NodeHubLog.Refused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Connection.ClientCertificate?.Subject ?? "no certificate", refusal.Code, refusal.Message);
            // Trailers-only: the status in the response headers, no body (what gRPC clients expect of a call refused at once).
            context.Response.Headers["grpc-status"] = refusal.Code.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(refusal.Message);
            return;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        await context.Response.StartAsync(ended.Token);
        var session = new NodeSession(context.Request.BodyReader, context.Response.BodyWriter, user, parts, logger, time);
        // The newest stream of a node serves its requests; an older one still ending must not take it away.
        _sessions[user.NodeName!] = session;
        (int Code, string Message) end;
        try
        {
            end = await session.RunAsync(ended.Token);
        }
        finally
        {
            _sessions.TryRemove(KeyValuePair.Create(user.NodeName!, session));
        }

        var (code, message) = end;
        NodeHubLog.Disconnected(logger, user.NodeName!, code, message);
        if (!context.RequestAborted.IsCancellationRequested)
        {
            EndCall(context, code, message);
        }
    }

    public Task StreamAsync(string node, PodLogQuery query, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken) =>
        _sessions.TryGetValue(node, out var session)
            ? session.StreamLogAsync(query, write, cancellationToken)
            : throw Api.Errors.ApiException.Unavailable($"node \"{node}\" is not connected");

    /// <summary>The node user of a cluster-CA client certificate, or the gRPC status that refuses it.</summary>
    private (UserInfo? User, (int Code, string Message) Refusal) Authenticate(X509Certificate2? certificate)
    {
        if (certificate is null || !ClusterPki.IsIssuedBy(certificate, authority, ClusterPki.ClientAuthOid))
        {
            return (null, (GrpcStatusCodes.Unauthenticated, "the node channel needs the node's client certificate of this cluster"));
        }

        var user = RequestAuthenticator.FromCertificate(certificate);
        return user.NodeName is null
            ? (null, (GrpcStatusCodes.PermissionDenied, $"user \"{user.Name}\" is not a node (CN=system:node:<name>, O=system:nodes)"))
            : (user, default);
    }

    /// <summary>The gRPC status in the trailers; the message percent-encoded as the protocol asks.</summary>
    private static void EndCall(HttpContext context, int code, string message)
    {
        context.Response.AppendTrailer("grpc-status", code.ToString(CultureInfo.InvariantCulture));
        if (message.Length > 0)
        {
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        }
    }

    public void Dispose() => _stopping.Dispose();
}
