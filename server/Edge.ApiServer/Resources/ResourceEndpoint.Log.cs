using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.ApiServer.Logs;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    /// <summary>Where pod logs come from (NodeHub); while unset, a bound pod's log is an honest 503.</summary>
    public IPodLogs? Logs { get; set; }

    /// <summary>
    /// <c>pods/log</c>: checked against the Pod here (upstream's 400s for no node, an unknown or
    /// unnamed container, one still waiting), then streamed from the node as <c>text/plain</c>,
    /// flushed per chunk so <c>kubectl logs -f</c> prints lines as they come. A failure after the
    /// first bytes can only end the stream (the status line is gone).
    /// </summary>
    private async Task HandleLogAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw ApiException.MethodNotSupported(request.Resource, context.Request.Method);
        }

        var pod = await registry.GetAsync(request.Resource, request.Namespace, request.Name!, cancellationToken);
        var node = ObjectFields.String(pod["spec"], "nodeName");
        if (string.IsNullOrEmpty(node))
        {
            throw ApiException.BadRequest($"pod {request.Name} does not have a host assigned");
        }

        var query = PodLogQuery.From(pod, context.Request.Query);
        ContainerLogState.EnsureStarted(pod, query.Container, query.Previous);
        if (Logs is null)
        {
            throw ApiException.Unavailable($"logs of pods on node \"{node}\" are not available: this API server has no node channel");
        }

        var response = context.Response;
        await Logs.StreamAsync(node, query, async (bytes, token) =>
        {
            if (!response.HasStarted)
            {
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "text/plain";
                await response.StartAsync(token);
            }

            if (!bytes.IsEmpty)
            {
                await response.Body.WriteAsync(bytes, token);
            }

            await response.Body.FlushAsync(token);
        }, cancellationToken);

        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/plain";
        }
    }
}
