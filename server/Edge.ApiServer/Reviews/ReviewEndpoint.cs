using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Reviews;

/// <summary>
/// The review kinds: questions POSTed to the API and answered at once, never stored
/// (upstream pkg/registry/authorization/*, pkg/registry/authentication/selfsubjectreview).
/// <c>kubectl auth can-i</c> asks SelfSubjectAccessReview, <c>--list</c> SelfSubjectRulesReview,
/// <c>auth whoami</c> SelfSubjectReview (v1, then v1beta1, then v1alpha1). The answer is the
/// request with its <c>status</c> filled, as JSON, 201 Created.
/// </summary>
public sealed class ReviewEndpoint(IAuthorizer authorizer, RbacAuthorizer rbac)
{
    private const string AuthorizationPrefix = "/apis/authorization.k8s.io/v1/";
    private const string AuthenticationPrefix = "/apis/authentication.k8s.io/";

    /// <summary>True for a review path; <paramref name="response"/> then answers it (errors as ApiException).</summary>
    public bool TryHandle(HttpContext context, out Task response)
    {
        response = Task.CompletedTask;
        if (Match(context.Request.Path.Value ?? "") is not { } review)
        {
            return false;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw ApiException.MethodNotSupported(review.Resource, context.Request.Method.ToLowerInvariant() switch
            {
                "get" => "get",
                "put" => "update",
                "patch" => "patch",
                "delete" => "delete",
                var other => other,
            });
        }

        response = AnswerAsync(context, review);
        return true;
    }

    private sealed record Review(ResourceType Resource, string Version, string Namespace);

    private static Review? Match(string path)
    {
        if (path.StartsWith(AuthorizationPrefix, StringComparison.Ordinal))
        {
            var rest = path[AuthorizationPrefix.Length..].Split('/');
            return rest switch
            {
                ["selfsubjectaccessreviews" or "selfsubjectrulesreviews" or "subjectaccessreviews"] =>
                    new Review(ResourceCatalog.Find("authorization.k8s.io", "v1", rest[0])!, "v1", ""),
                ["namespaces", { Length: > 0 } ns, "localsubjectaccessreviews"] =>
                    new Review(ResourceCatalog.Find("authorization.k8s.io", "v1", "localsubjectaccessreviews")!, "v1", ns),
                _ => null,
            };
        }

        if (path.StartsWith(AuthenticationPrefix, StringComparison.Ordinal) &&
            path[AuthenticationPrefix.Length..].Split('/') is [("v1" or "v1beta1" or "v1alpha1") and var version, "selfsubjectreviews"])
        {
            return new Review(ResourceCatalog.Find("authentication.k8s.io", "v1", "selfsubjectreviews")!, version, "");
        }

        return null;
    }

    private async Task AnswerAsync(HttpContext context, Review review)
    {
        var body = await RequestBody.ReadBytesAsync(context.Request, context.RequestAborted);
        var obj = RequestBody.ParseObject(body, RequestBody.MediaType(context.Request));
        var apiVersion = $"{review.Resource.Group}/{review.Version}";
        obj["apiVersion"] = apiVersion;
        obj["kind"] = review.Resource.Kind;
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        metadata["creationTimestamp"] = null;
        obj["metadata"] = metadata;

        var user = context.GetUser();
        obj["status"] = review.Resource.Kind switch
        {
            "SelfSubjectReview" => new JsonObject { ["userInfo"] = ReviewBodies.UserInfoJson(user) },
            "SelfSubjectRulesReview" => Rules(obj, user),
            _ => await AccessAsync(review, obj, user, context.RequestAborted),
        };

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(obj, JsonNodeContext.Default.JsonObject), context.RequestAborted);
    }

    private async Task<JsonObject> AccessAsync(Review review, JsonObject obj, UserInfo requester, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject ?? new JsonObject();
        var errors = new List<FieldError>();
        var resourceAttributes = spec["resourceAttributes"] as JsonObject;
        var nonResourceAttributes = spec["nonResourceAttributes"] as JsonObject;
        if (resourceAttributes is not null && nonResourceAttributes is not null)
        {
            errors.Add(FieldError.InvalidValue("spec.nonResourceAttributes", null, "cannot be specified in combination with resourceAttributes"));
        }
        else if (resourceAttributes is null && nonResourceAttributes is null)
        {
            errors.Add(FieldError.InvalidValue("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }

        var user = requester;
        if (review.Resource.Kind is "SubjectAccessReview" or "LocalSubjectAccessReview")
        {
            user = ReviewBodies.SubjectOf(spec);
            if (user.Name.Length == 0 && user.Groups.Count == 0)
            {
                errors.Add(FieldError.InvalidValue("spec.user", "", "at least one of user or group must be specified"));
            }
        }

        if (review.Resource.Kind == "LocalSubjectAccessReview")
        {
            obj.Metadata()["namespace"] = review.Namespace;
            if (nonResourceAttributes is not null)
            {
                errors.Add(FieldError.InvalidValue("spec.nonResourceAttributes", null, "disallowed on this kind of request"));
            }

            if (resourceAttributes is not null)
            {
                // Left empty it means this namespace; anything else must match it.
                var ns = ReviewBodies.Str(resourceAttributes, "namespace");
                if (ns.Length == 0)
                {
                    resourceAttributes["namespace"] = review.Namespace;
                }
                else if (ns != review.Namespace)
                {
                    errors.Add(FieldError.InvalidValue("spec.resourceAttributes.namespace", ns, "must match metadata.namespace"));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(review.Resource, obj.Name() ?? "", errors);
        }

        var attributes = resourceAttributes is not null
            ? new AuthorizationAttributes
            {
                User = user,
                Verb = ReviewBodies.Str(resourceAttributes, "verb"),
                IsResourceRequest = true,
                Namespace = ReviewBodies.Str(resourceAttributes, "namespace"),
                ApiGroup = ReviewBodies.Str(resourceAttributes, "group"),
                ApiVersion = ReviewBodies.Str(resourceAttributes, "version"),
                Resource = ReviewBodies.Str(resourceAttributes, "resource"),
                Subresource = ReviewBodies.Str(resourceAttributes, "subresource"),
                Name = ReviewBodies.Str(resourceAttributes, "name"),
            }
            : new AuthorizationAttributes
            {
                User = user,
                Verb = ReviewBodies.Str(nonResourceAttributes!, "verb"),
                Path = ReviewBodies.Str(nonResourceAttributes!, "path"),
            };

        var result = await authorizer.AuthorizeAsync(attributes, cancellationToken);
        var status = new JsonObject { ["allowed"] = result.Decision == AuthorizationDecision.Allow };
        if (result.Decision == AuthorizationDecision.Deny)
        {
            status["denied"] = true;
        }

        if (result.Reason.Length > 0)
        {
            status["reason"] = result.Reason;
        }

        return status;
    }

    private JsonObject Rules(JsonObject obj, UserInfo user)
    {
        var ns = ReviewBodies.Str(obj["spec"], "namespace");
        if (ns.Length == 0)
        {
            throw ApiException.BadRequest("no namespace on request");
        }

        var (rules, errors) = rbac.RulesFor(user, ns);
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            if (rule.Resources.Count > 0)
            {
                resourceRules.Add((JsonNode)(rule with { NonResourceUrls = [] }).ToJson());
            }

            if (rule.NonResourceUrls.Count > 0)
            {
                nonResourceRules.Add((JsonNode)new JsonObject
                {
                    ["verbs"] = ReviewBodies.Strings(rule.Verbs),
                    ["nonResourceURLs"] = ReviewBodies.Strings(rule.NonResourceUrls),
                });
            }
        }

        var status = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = errors.Count > 0,
        };
        if (errors.Count > 0)
        {
            status["evaluationError"] = RbacAuthorizer.Aggregate(errors);
        }

        return status;
    }
}
