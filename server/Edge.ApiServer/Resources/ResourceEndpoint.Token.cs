using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Resources;

public sealed partial class ResourceEndpoint
{
    /// <summary>Shortest token lifetime a client may ask for, as upstream (10 minutes).</summary>
    private const long MinTokenSeconds = 600;

    /// <summary>Longest lifetime handed out; a longer request is shortened, as upstream's max-token-expiration does.</summary>
    private const long MaxTokenSeconds = 365L * 24 * 3600;

    /// <summary>Signs service-account tokens; without it <c>serviceaccounts/token</c> is unavailable.</summary>
    public ServiceAccountTokens? Tokens { get; set; }

    /// <summary>
    /// <c>POST serviceaccounts/{name}/token</c> (TokenRequest, <c>kubectl create token</c>): a JWT for
    /// the service account, for the requested audiences and lifetime, optionally bound to a pod or a
    /// node so it dies with that object. A node may ask only for tokens bound to its own pods.
    /// </summary>
    private async Task HandleTokenAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotSupported(request.Resource, context.Request.Method);
        }

        if (Tokens is null)
        {
            throw new ApiException(Status.Failure(503, "ServiceUnavailable", "service account tokens are not available on this server"));
        }

        var ns = request.Namespace!;
        var body = RequestBody.ParseObject(await RequestBody.ReadBytesAsync(context.Request, cancellationToken), RequestBody.MediaType(context.Request));
        if (ObjectFields.String(body, "kind") is { Length: > 0 } kind && kind != "TokenRequest")
        {
            throw ApiException.BadRequest($"a TokenRequest is expected, not {kind}");
        }

        var account = await registry.GetAsync(KnownResources.ServiceAccounts, ns, request.Name!, cancellationToken);
        var spec = body["spec"] as JsonObject ?? [];
        var audiences = (spec["audiences"] as JsonArray)?.Select(a => a?.GetValueKind() == System.Text.Json.JsonValueKind.String ? a.GetValue<string>() : "").ToList() ?? [];
        if (audiences.Any(a => a.Length == 0))
        {
            throw Invalid(request.Name!, FieldError.InvalidValue("spec.audiences", "", "audiences must be non-empty strings"));
        }

        if (audiences.Count == 0)
        {
            audiences.AddRange(Tokens.ApiAudiences);
        }

        var seconds = ObjectFields.Long(spec, "expirationSeconds") ?? 3600;
        if (seconds < MinTokenSeconds)
        {
            throw Invalid(request.Name!, FieldError.InvalidValue("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
        }

        seconds = Math.Min(seconds, MaxTokenSeconds);
        var user = context.GetUser();
        string? podName = null, podUid = null, nodeName = null, nodeUid = null;
        if (spec["boundObjectRef"] is JsonObject bound)
        {
            var boundKind = ObjectFields.String(bound, "kind");
            var boundName = ObjectFields.String(bound, "name") ?? "";
            var boundUid = ObjectFields.String(bound, "uid");
            switch (boundKind)
            {
                case "Pod":
                    var pod = await registry.GetAsync(KnownResources.Pods, ns, boundName, cancellationToken);
                    if (boundUid is { Length: > 0 } && boundUid != pod.Uid())
                    {
                        throw Conflict($"the UID in the bound object reference ({boundUid}) does not match the UID in record ({pod.Uid()}). The object might have been deleted and then recreated");
                    }

                    if ((ObjectFields.PathText(pod, "spec.serviceAccountName") ?? "default") != request.Name)
                    {
                        throw Conflict($"the pod {boundName} is not running as service account {request.Name}");
                    }

                    (podName, podUid) = (boundName, pod.Uid());
                    nodeName = ObjectFields.PathText(pod, "spec.nodeName");
                    break;
                case "Node":
                    var node = await registry.GetAsync(KnownResources.Nodes, null, boundName, cancellationToken);
                    if (boundUid is { Length: > 0 } && boundUid != node.Uid())
                    {
                        throw Conflict($"the UID in the bound object reference ({boundUid}) does not match the UID in record ({node.Uid()}). The object might have been deleted and then recreated");
                    }

                    (nodeName, nodeUid) = (boundName, node.Uid());
                    break;
                default:
                    throw Invalid(request.Name!, FieldError.NotSupported("spec.boundObjectRef.kind", boundKind, ["Pod", "Node"]));
            }
        }

        // NodeRestriction for tokens: a node asks only for tokens of pods bound to it.
        if (user.NodeName is { } requester && (podName is null || nodeName != requester))
        {
            throw new ApiException(Status.Failure(403, "Forbidden",
                $"serviceaccounts \"{request.Name}\" is forbidden: node requested token not bound to a pod scheduled on the same node"));
        }

        var now = time.GetUtcNow();
        var claims = new ServiceAccountClaims
        {
            Namespace = ns,
            ServiceAccountName = request.Name!,
            ServiceAccountUid = account.Uid() ?? "",
            Audiences = audiences,
            IssuedAt = now,
            Expires = now.AddSeconds(seconds),
            PodName = podName,
            PodUid = podUid,
            NodeName = nodeName,
            NodeUid = nodeUid,
            Id = Guid.NewGuid().ToString(),
        };
        var token = Tokens.Issue(claims);
        var responseSpec = (JsonObject)spec.DeepClone();
        responseSpec["audiences"] = new JsonArray(audiences.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());
        responseSpec["expirationSeconds"] = seconds;
        var response = new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = request.Name,
                ["namespace"] = ns,
                ["creationTimestamp"] = ObjectFields.Timestamp(now),
            },
            ["spec"] = responseSpec,
            ["status"] = new JsonObject
            {
                ["token"] = token,
                ["expirationTimestamp"] = ObjectFields.Timestamp(claims.Expires),
            },
        };
        await WriteJsonAsync(context, response, StatusCodes.Status201Created);
    }

    private static ApiException Invalid(string name, FieldError error) =>
        new(Status.Failure(422, "Invalid", $"TokenRequest.authentication.k8s.io \"{name}\" is invalid: {error}"));

    private static ApiException Conflict(string message) => new(Status.Failure(409, "Conflict", message));
}
