using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    private async Task DeleteAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var options = await ReadDeleteOptionsAsync(context, cancellationToken);
        var outcome = await registry.DeleteAsync(request.Resource, request.Namespace, request.Name!, options, cancellationToken);
        // Upstream answers 200 with the object, or 202 when removal is still pending (finalizers, grace).
        await WriteJsonAsync(context, outcome.Object, outcome.Removed ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (!request.Resource.Verbs.Contains("deletecollection"))
        {
            throw ApiException.MethodNotSupported(request.Resource, "deletecollection");
        }

        var options = await ReadDeleteOptionsAsync(context, cancellationToken);
        var list = ListOptions.From(context.Request.Query) with { Limit = 0, Continue = null };
        var page = await registry.ListAsync(request.Resource, request.Namespace, list, cancellationToken);
        var deleted = new List<JsonObject>();
        foreach (var item in page.Items)
        {
            try
            {
                var outcome = await registry.DeleteAsync(request.Resource, item.Namespace(), item.Name()!, options, cancellationToken);
                deleted.Add(outcome.Object);
            }
            catch (ApiException e) when (e.Status.Code == StatusCodes.Status404NotFound)
            {
                // Deleted by someone else meanwhile: the collection is gone either way.
            }
        }

        await WriteJsonAsync(context, ToList(request.Resource, deleted, StoredObjects.Revision(page.Revision), null), StatusCodes.Status200OK);
    }

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext context, CancellationToken cancellationToken)
    {
        JsonObject? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var bytes = await RequestBody.ReadBytesAsync(context.Request, cancellationToken);
            if (bytes.Length > 0)
            {
                body = RequestBody.ParseObject(bytes, RequestBody.MediaType(context.Request));
            }
        }

        return DeleteOptions.From(body, context.Request.Query);
    }
}
