using Edge.ApiServer.Admission;
using Edge.ApiServer.Authentication;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.ApiServer.Watch;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

/// <summary>
/// The verbs on <c>/api/v1/…</c> and <c>/apis/&lt;group&gt;/&lt;version&gt;/…</c>: which one a request
/// is (upstream's RequestInfo rules), then the registry, the watch cache and the response forms
/// (object, list, Table, watch stream).
/// </summary>
public sealed partial class ResourceEndpoint(ObjectRegistry registry, WatchCache watchCache, TimeProvider time)
{
    /// <summary>Admission by the requesting user (node restriction, RBAC escalation); none when unset.</summary>
    public IUserAdmission? Admission { get; set; }

    private WriteOptions WriteOptionsFor(HttpContext context, ResourceRequest request) =>
        WriteOptions.From(context.Request.Query) with { Admit = Admission?.For(context.GetUser(), request.Resource, request.Subresource) };

    public async Task HandleAsync(HttpContext context, ResourceRequest request)
    {
        var method = context.Request.Method;
        var cancellationToken = context.RequestAborted;
        var resource = request.Resource;
        if (resource.Namespaced && request.Name is not null && request.Namespace is null)
        {
            throw ApiException.NotFound("the server could not find the requested resource");
        }

        switch (request.Subresource)
        {
            case null:
                break;
            case "status" or "finalize" when request.Name is not null:
                await HandleStatusAsync(context, request, cancellationToken);
                return;
            case "scale" when request.Name is not null:
                await HandleScaleAsync(context, request, cancellationToken);
                return;
            case "binding" when request.Name is not null:
                await HandleBindingAsync(context, request, cancellationToken);
                return;
            case "eviction" when request.Name is not null:
                await HandleEvictionAsync(context, request, cancellationToken);
                return;
            case "token" when request.Name is not null && request.Resource.Plural == "serviceaccounts":
                await HandleTokenAsync(context, request, cancellationToken);
                return;
            case "log" when request.Name is not null:
                await HandleLogAsync(context, request, cancellationToken);
                return;
            default:
                throw ApiException.NotFound("the server could not find the requested resource");
        }

        if (request.Name is null)
        {
            if (HttpMethods.IsGet(method))
            {
                var options = ListOptions.From(context.Request.Query);
                await (options.Watch ? WatchAsync(context, resource, request.Namespace, options) : ListAsync(context, resource, request.Namespace, options));
            }
            else if (HttpMethods.IsPost(method))
            {
                await CreateAsync(context, request, cancellationToken);
            }
            else if (HttpMethods.IsDelete(method))
            {
                await DeleteCollectionAsync(context, request, cancellationToken);
            }
            else
            {
                throw ApiException.MethodNotSupported(resource, method);
            }

            return;
        }

        if (HttpMethods.IsGet(method))
        {
            var options = ListOptions.From(context.Request.Query);
            if (options.Watch)
            {
                // A watch of one named object is a watch with a name field selector.
                await WatchAsync(context, resource, request.Namespace, options with
                {
                    Fields = Api.Selectors.FieldSelector.Parse($"metadata.name={request.Name}"),
                });
                return;
            }

            var obj = await registry.GetAsync(resource, request.Namespace, request.Name, cancellationToken);
            await WriteObjectOrTableAsync(context, resource, obj, StatusCodes.Status200OK);
        }
        else if (HttpMethods.IsPut(method))
        {
            await UpdateAsync(context, request, cancellationToken);
        }
        else if (HttpMethods.IsPatch(method))
        {
            await PatchAsync(context, request, cancellationToken);
        }
        else if (HttpMethods.IsDelete(method))
        {
            await DeleteAsync(context, request, cancellationToken);
        }
        else
        {
            throw ApiException.MethodNotSupported(resource, method);
        }
    }

    internal static async Task WriteJsonAsync(HttpContext context, JsonNode node, int statusCode, string contentType = "application/json")
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        // Straight into the response pipe: no stream adapter, one flush.
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            node.WriteTo(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private Task WriteObjectOrTableAsync(HttpContext context, ResourceType resource, JsonObject obj, int statusCode)
    {
        if (WantsTable(context.Request))
        {
            var table = Tables.TableConvertor.ToTable(resource, [obj], time.GetUtcNow(), IncludeObject(context.Request), null, null);
            return WriteJsonAsync(context, table, statusCode);
        }

        return WriteJsonAsync(context, obj, statusCode);
    }

    internal static bool WantsTable(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));

    private static bool IncludeObject(HttpRequest request) => request.Query["includeObject"].ToString() == "Object";
}
