using System.Text.Json.Nodes;
using Edge.Api.Patching;
using Edge.Api.Resources;
using Edge.Api.Schema;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    private async Task CreateAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var options = WriteOptionsFor(context, request);
        var obj = await ReadObjectAsync(context, request.Resource, options, cancellationToken);
        var (created, stored) = await registry.CreateStoredAsync(request.Resource, request.Namespace, obj, options, cancellationToken);
        if (stored is null)
        {
            await WriteJsonAsync(context, created, StatusCodes.Status201Created);
            return;
        }

        // The answer is what was stored: spliced from those bytes, not serialised from the tree again.
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        StoredObjects.WriteWithRevision(context.Response.BodyWriter, stored);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private async Task UpdateAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var options = WriteOptionsFor(context, request);
        var obj = await ReadObjectAsync(context, request.Resource, options, cancellationToken);
        var updated = await registry.UpdateAsync(request.Resource, request.Namespace, request.Name!, request.Subresource, obj, options, cancellationToken);
        await WriteJsonAsync(context, updated, StatusCodes.Status200OK);
    }

    private async Task PatchAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var options = WriteOptionsFor(context, request);
        var apply = await ReadPatchAsync(context, request.Resource, options, cancellationToken);
        var patched = await registry.UpdateWithAsync(
            request.Resource, request.Namespace, request.Name!, request.Subresource, apply, options, cancellationToken);
        await WriteJsonAsync(context, patched, StatusCodes.Status200OK);
    }

    /// <summary>Reads a patch body and returns the function that applies it to the current object.</summary>
    private static async Task<Func<JsonObject, JsonObject>> ReadPatchAsync(
        HttpContext context, ResourceType resource, WriteOptions options, CancellationToken cancellationToken)
    {
        var mediaType = RequestBody.MediaType(context.Request);
        if (mediaType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json"))
        {
            throw mediaType == "application/apply-patch+yaml"
                ? new ApiException(Api.Meta.Status.Failure(415, "UnsupportedMediaType",
                    "server-side apply (application/apply-patch+yaml) is not supported by this server yet; use client-side kubectl apply"))
                : new ApiException(Api.Meta.Status.Failure(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got \"{mediaType}\")"));
        }

        var body = await RequestBody.ReadBytesAsync(context.Request, cancellationToken);
        // One parse serves the patch tree and the field check of merge patches.
        var document = RequestBody.ParseDocument(body);
        var patch = RequestBody.ToTree(document) ?? throw ApiException.BadRequest("the patch is empty (null)");
        if (mediaType != "application/json-patch+json")
        {
            if (patch is not JsonObject)
            {
                throw ApiException.BadRequest("a merge patch must be a JSON object");
            }

            ValidateFields(context, resource, document.RootElement, options);
        }

        var schema = mediaType == "application/strategic-merge-patch+json" ? ApiSchema.Default.ForKind(resource.Group, resource.Version, resource.Kind) : null;
        return current =>
        {
            JsonNode? result;
            try
            {
                result = mediaType switch
                {
                    "application/json-patch+json" => JsonPatch.Apply(current, patch),
                    "application/merge-patch+json" => JsonMergePatch.Apply(current, patch),
                    _ => StrategicMergePatch.Apply(current, patch, schema),
                };
            }
            catch (PatchException e)
            {
                // Upstream answers 500 for patch errors it does not classify (an unknown $patch, a
                // missing merge key); they are the client's mistakes, so Edge answers 400.
                var code = e.StatusCode >= 500 ? 400 : e.StatusCode;
                var reason = code == e.StatusCode && e.Reason.Length > 0 ? e.Reason : "BadRequest";
                throw new ApiException(Api.Meta.Status.Failure(code, reason, e.Message));
            }

            return result as JsonObject ?? throw ApiException.BadRequest("the patch did not produce an object");
        };
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, ResourceType resource, WriteOptions options, CancellationToken cancellationToken)
    {
        var mediaType = RequestBody.MediaType(context.Request);
        if (mediaType is not ("" or "application/json" or "application/yaml" or "*/*" or Api.Protobuf.KubernetesProtobuf.MediaType))
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        var body = await RequestBody.ReadBytesAsync(context.Request, cancellationToken);
        if (mediaType is "application/yaml" or Api.Protobuf.KubernetesProtobuf.MediaType)
        {
            var converted = RequestBody.ParseObject(body, mediaType);
            ValidateFields(context, resource, RequestBody.AsJsonBytes(body, mediaType, converted), options);
            return converted;
        }

        // JSON: one parse for the field check (which must see repeated keys) and for the tree.
        // The tree first: building it checks every string, which the field check then relies on.
        var document = RequestBody.ParseDocument(body);
        var tree = RequestBody.ToTree(document) as JsonObject ?? throw ApiException.BadRequest("the body of the request was not a JSON object");
        ValidateFields(context, resource, document.RootElement, options);
        return tree;
    }

    /// <summary>fieldValidation: unknown or duplicate fields are refused (Strict) or reported in Warning headers (Warn).</summary>
    private static void ValidateFields(HttpContext context, ResourceType resource, byte[] json, WriteOptions options)
    {
        if (options.FieldValidation != FieldValidation.Ignore)
        {
            // Callers parsed these bytes into a tree already, so every string in them is valid.
            ValidateFields(context, resource, RequestBody.ParseDocument(json).RootElement, options);
        }
    }

    private static void ValidateFields(HttpContext context, ResourceType resource, System.Text.Json.JsonElement json, WriteOptions options)
    {
        if (options.FieldValidation == FieldValidation.Ignore || ApiSchema.Default.ForKindNode(resource.Group, resource.Version, resource.Kind) is not { } schema)
        {
            return;
        }

        var problems = FieldValidator.Validate(json, schema);
        if (problems.Count == 0)
        {
            return;
        }

        if (options.FieldValidation == FieldValidation.Strict)
        {
            throw ApiException.BadRequest(FieldValidator.StrictErrorMessage(resource.Kind, resource.Version, problems));
        }

        foreach (var problem in problems)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{WarningText(problem)}\"");
        }
    }

    /// <summary>
    /// A header value is ASCII without controls (Kestrel throws otherwise), and the problem may
    /// quote a field name from the body: anything else is escaped as \uXXXX.
    /// </summary>
    private static string WarningText(string problem)
    {
        var text = new System.Text.StringBuilder(problem.Length);
        foreach (var c in problem)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (c is < ' ' or > '~')
            {
                text.Append($"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
