using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Admission that depends on who writes (upstream's NodeRestriction and RBAC escalation checks),
/// as opposed to the per-type strategies that hold for everyone.
/// </summary>
public interface IUserAdmission
{
    /// <summary>The check for this user's write, or null when there is nothing to check.</summary>
    Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? For(UserInfo user, ResourceType resource, string? subresource);
}

/// <summary>Runs each admission that applies, in order.</summary>
public sealed class UserAdmissionChain(params IUserAdmission[] admissions) : IUserAdmission
{
    public Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? For(UserInfo user, ResourceType resource, string? subresource)
    {
        var steps = admissions.Select(a => a.For(user, resource, subresource)).OfType<Func<JsonObject?, JsonObject, CancellationToken, ValueTask>>().ToList();
        return steps.Count switch
        {
            0 => null,
            1 => steps[0],
            _ => async (old, updated, cancellationToken) =>
            {
                foreach (var step in steps)
                {
                    await step(old, updated, cancellationToken);
                }
            },
        };
    }
}

/// <summary><see cref="NodeRestriction"/> as a link of the chain.</summary>
public sealed class NodeRestrictionAdmission : IUserAdmission
{
    public Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? For(UserInfo user, ResourceType resource, string? subresource) =>
        NodeRestriction.For(user, resource, subresource);
}

/// <summary>
/// RBAC's escalation check as a link of the chain: a user may grant or bind only what it holds
/// (or what it may <c>escalate</c>/<c>bind</c>), so edit rights never turn into cluster-admin.
/// </summary>
public sealed class RbacEscalationAdmission(IAuthorizer authorizer, RbacAuthorizer rbac) : IUserAdmission
{
    public Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? For(UserInfo user, ResourceType resource, string? subresource)
    {
        if (resource.Group != RbacStrategy.Group || subresource is not null || user.IsInGroup(UserInfo.SystemMasters))
        {
            return null;
        }

        return async (old, updated, cancellationToken) =>
        {
            if (await RbacEscalation.CheckAsync(user, authorizer, rbac, resource, updated, old, cancellationToken) is { } refused)
            {
                throw new ApiException(refused);
            }
        };
    }
}
