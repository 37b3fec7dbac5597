using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// Asks each authorizer in turn; the first Allow or Deny decides, and when none has an opinion the
/// request is denied with the last reason given (upstream's union authorizer).
/// </summary>
public sealed class AuthorizerChain(params IAuthorizer[] authorizers) : IAuthorizer
{
    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken)
    {
        var reason = "";
        foreach (var authorizer in authorizers)
        {
            var result = await authorizer.AuthorizeAsync(attributes, cancellationToken);
            if (result.Decision != AuthorizationDecision.NoOpinion)
            {
                return result;
            }

            if (result.Reason.Length > 0)
            {
                reason = result.Reason;
            }
        }

        return AuthorizationResult.Deny(reason);
    }
}

/// <summary>
/// <c>system:masters</c> may do anything, before and regardless of RBAC (upstream's privileged
/// group authorizer): the admin kubeconfig cannot be locked out by a bad ClusterRoleBinding.
/// </summary>
public sealed class PrivilegedGroupAuthorizer : IAuthorizer
{
    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(attributes.User.IsInGroup(UserInfo.SystemMasters) ? AuthorizationResult.Allow() : AuthorizationResult.NoOpinion);
}
