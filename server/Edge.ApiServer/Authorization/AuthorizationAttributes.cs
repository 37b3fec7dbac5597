using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// What a request asks to do, as upstream's <c>authorizer.Attributes</c>. Resource requests carry
/// the verb (get, list, watch, create, update, patch, delete, deletecollection, or a special verb
/// such as bind, escalate, impersonate), group, resource, subresource, namespace and name; other
/// requests carry the lower-case HTTP verb and the path (non-resource URLs such as /healthz).
/// </summary>
public sealed record AuthorizationAttributes
{
    public required UserInfo User { get; init; }

    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string ApiGroup { get; init; } = "";

    public string ApiVersion { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Subresource { get; init; } = "";

    /// <summary>Empty for cluster-scoped resources and for requests across all namespaces.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Empty for collection requests (list, create, deletecollection).</summary>
    public string Name { get; init; } = "";

    /// <summary>The request path, for non-resource requests.</summary>
    public string Path { get; init; } = "";
}

public enum AuthorizationDecision
{
    /// <summary>This authorizer neither allows nor forbids; the next one decides (upstream chains node → RBAC).</summary>
    NoOpinion,
    Allow,
    Deny,
}

/// <summary>A decision with the reason upstream appends to a 403 (may be empty).</summary>
public readonly record struct AuthorizationResult(AuthorizationDecision Decision, string Reason)
{
    public static readonly AuthorizationResult NoOpinion = new(AuthorizationDecision.NoOpinion, "");

    public static AuthorizationResult Allow(string reason = "") => new(AuthorizationDecision.Allow, reason);

    public static AuthorizationResult Deny(string reason) => new(AuthorizationDecision.Deny, reason);
}

/// <summary>One link of the authorizer chain.</summary>
public interface IAuthorizer
{
    ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken);
}
