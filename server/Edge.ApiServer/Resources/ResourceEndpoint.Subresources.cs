using System.Text.Json.Nodes;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    /// <summary><c>/status</c> (and a namespace's <c>/finalize</c>): GET the object, PUT or PATCH only its status.</summary>
    private async Task HandleStatusAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) && request.Subresource == "status")
        {
            await WriteJsonAsync(context, await registry.GetAsync(request.Resource, request.Namespace, request.Name!, cancellationToken), 200);
        }
        else if (HttpMethods.IsPut(method) && request.Subresource == "finalize")
        {
            var options = WriteOptionsFor(context, request);
            var body = await ReadObjectAsync(context, request.Resource, options, cancellationToken);
            var finalized = await registry.UpdateWithAsync(request.Resource, null, request.Name!, "finalize", _ => body, options, cancellationToken);
            await WriteJsonAsync(context, finalized, 200);
        }
        else if (HttpMethods.IsPut(method))
        {
            await UpdateAsync(context, request, cancellationToken);
        }
        else if (HttpMethods.IsPatch(method))
        {
            await PatchAsync(context, request, cancellationToken);
        }
        else
        {
            throw ApiException.MethodNotSupported(request.Resource, method);
        }
    }

    /// <summary><c>/scale</c>: the object seen as an autoscaling/v1 Scale; writes change only spec.replicas.</summary>
    private async Task HandleScaleAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var method = context.Request.Method;
        var resource = request.Resource;
        JsonObject result;
        if (HttpMethods.IsGet(method))
        {
            result = await registry.GetAsync(resource, request.Namespace, request.Name!, cancellationToken);
        }
        else if (HttpMethods.IsPut(method) || HttpMethods.IsPatch(method))
        {
            var options = WriteOptionsFor(context, request);
            Func<JsonObject, JsonObject> toScale;
            if (HttpMethods.IsPut(method))
            {
                var body = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(context.Request, cancellationToken), RequestBody.MediaType(context.Request));
                toScale = _ => body;
            }
            else
            {
                toScale = await ReadPatchAsync(context, resource, options with { FieldValidation = FieldValidation.Ignore }, cancellationToken);
            }

            result = await registry.UpdateWithAsync(resource, request.Namespace, request.Name!, null, current =>
            {
                var scale = toScale(Scale.From(resource, current));
                if (scale.ResourceVersion() is { Length: > 0 } pinned)
                {
                    // A version in the Scale pins the write of the object it came from.
                    current.Metadata()["resourceVersion"] = pinned;
                }

                var replicas = ObjectFields.Long(scale["spec"], "replicas");
                if (replicas is null or < 0 or > int.MaxValue)
                {
                    throw ApiException.Invalid(resource, request.Name!, [FieldError.InvalidValue("spec.replicas", replicas, "must be greater than or equal to 0")]);
                }

                current["spec"]!["replicas"] = replicas;
                return current;
            }, options, cancellationToken);
        }
        else
        {
            throw ApiException.MethodNotSupported(resource, method);
        }

        await WriteJsonAsync(context, Scale.From(resource, result), 200);
    }

    /// <summary><c>pods/binding</c> over HTTP.</summary>
    private async Task HandleBindingAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotSupported(request.Resource, context.Request.Method);
        }

        var options = WriteOptionsFor(context, request);
        var binding = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(context.Request, cancellationToken), RequestBody.MediaType(context.Request));
        var node = ObjectFields.String(binding["target"], "name");
        if (string.IsNullOrEmpty(node))
        {
            throw new ApiException(Status.Failure(422, "Invalid", $"Binding \"{request.Name}\" is invalid: target.name: Required value"));
        }

        // A uid in the binding's metadata pins the pod, as upstream's binding REST does.
        var uid = ObjectFields.String(binding["metadata"], "uid");
        await PodBinding.BindAsync(registry, request.Namespace!, request.Name!, uid, node, options, cancellationToken);
        await WriteJsonAsync(context, SuccessNode(), StatusCodes.Status201Created);
    }

    /// <summary><c>pods/eviction</c>: a delete that disruption budgets may refuse (none are served yet, so it always proceeds).</summary>
    private async Task HandleEvictionAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotSupported(request.Resource, context.Request.Method);
        }

        var eviction = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(context.Request, cancellationToken), RequestBody.MediaType(context.Request));
        var options = DeleteOptions.From(eviction["deleteOptions"] as JsonObject, context.Request.Query);
        await registry.DeleteAsync(request.Resource, request.Namespace, request.Name!, options, cancellationToken);
        await WriteJsonAsync(context, SuccessNode(), StatusCodes.Status201Created);
    }

    private static JsonObject SuccessNode() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["code"] = 201,
    };
}
