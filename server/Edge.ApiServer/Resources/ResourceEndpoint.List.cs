using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    private async Task ListAsync(HttpContext context, ResourceType resource, string? ns, ListOptions options)
    {
        var page = await registry.ListAsync(resource, ns, options, context.RequestAborted);
        var revision = StoredObjects.Revision(page.Revision);
        if (WantsTable(context.Request))
        {
            var table = Tables.TableConvertor.ToTable(resource, page.Items, time.GetUtcNow(), IncludeObject(context.Request), revision, page.Continue);
            await WriteJsonAsync(context, table, StatusCodes.Status200OK);
            return;
        }

        await WriteJsonAsync(context, ToList(resource, page.Items, revision, page.Continue), StatusCodes.Status200OK);
    }

    /// <summary>A <c>&lt;Kind&gt;List</c> with the list's resourceVersion and continue token.</summary>
    internal static JsonObject ToList(ResourceType resource, IEnumerable<JsonObject> items, string revision, string? continueToken)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add((JsonNode)item);
        }

        return new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind + "List",
            ["metadata"] = metadata,
            ["items"] = array,
        };
    }
}
