using System.Buffers;
using System.Text;
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

        await WriteStoredListAsync(context, resource, page, revision);
    }

    /// <summary>
    /// Writes a <c>&lt;Kind&gt;List</c> straight from the stored bytes, each item with its
    /// resourceVersion spliced in: a list of thousands of objects costs no parse and no re-serialisation.
    /// </summary>
    private static async Task WriteStoredListAsync(HttpContext context, ResourceType resource, ListPage page, string revision)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var metadata = new JsonObject { ["resourceVersion"] = revision };
        if (page.Continue is not null)
        {
            metadata["continue"] = page.Continue;
        }

        var writer = context.Response.BodyWriter;
        var head = $"{{\"apiVersion\":\"{resource.ApiVersion}\",\"kind\":\"{resource.Kind}List\",\"metadata\":{metadata.ToJsonString()},\"items\":[";
        Encoding.UTF8.GetBytes(head.AsSpan(), writer);
        for (var i = 0; i < page.Kvs.Count; i++)
        {
            StoredObjects.WriteWithRevision(writer, page.Kvs[i], comma: i > 0);
            if (writer.UnflushedBytes > 64 * 1024)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }

        writer.Write("]}"u8);
        await writer.FlushAsync(context.RequestAborted);
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
