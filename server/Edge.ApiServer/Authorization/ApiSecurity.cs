using Edge.ApiServer.Audit;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Limits;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// Everything that stands between a request and the API, in the order it applies: who is it
/// (authentication), may they send this much (rate and in-flight limits), may they do this
/// (authorization chain), how long may it take (timeout), and the audit line afterwards.
/// </summary>
public sealed class ApiSecurity
{
    /// <summary>Upstream's default request timeout; watches and log streams are exempt.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(60);

    public required RequestAuthenticator Authenticator { get; init; }

    public required IAuthorizer Authorizer { get; init; }

    /// <summary>SelfSubjectAccessReview and friends: answered here, never stored.</summary>
    public Reviews.ReviewEndpoint? Reviews { get; init; }

    public ClientRateLimiter? RateLimiter { get; init; }

    public InFlightLimiter? InFlight { get; init; }

    public AuditLog? Audit { get; init; }

    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>Paths anyone may read without credentials: health and version, as upstream's system:public-info-viewer.</summary>
    public static bool IsPublicPath(string path) =>
        IsUnder(path, "/healthz") || IsUnder(path, "/livez") || IsUnder(path, "/readyz") || IsUnder(path, "/version");

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root, StringComparison.Ordinal) && (path.Length == root.Length || path[root.Length] == '/');
}
