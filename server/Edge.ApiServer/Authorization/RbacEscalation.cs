using System.Text.Json.Nodes;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// Privilege escalation prevention on RBAC writes, as upstream's policy-based storage
/// (pkg/registry/rbac/*/policybased, escalation_check.go, validation/rule.go ConfirmNoEscalation):
/// a user may create or update a Role or ClusterRole only with every rule it grants already held
/// (or the <c>escalate</c> verb on that role), and bind a role only holding all its rules (or with
/// <c>bind</c> on it). Members of <c>system:masters</c> are never checked: the server's own
/// privileged clients are in it.
/// </summary>
public static class RbacEscalation
{
    /// <summary>What an aggregationRule can gather is anything: setting one takes full authority.</summary>
    private static readonly PolicyRule[] FullAuthority =
    [
        PolicyRule.Resource([PolicyRule.All], [PolicyRule.All], [PolicyRule.All]),
        PolicyRule.Urls([PolicyRule.All], [PolicyRule.All]),
    ];

    /// <summary>
    /// Null when the write may go ahead; otherwise the Status to answer with (403, or 404 when a
    /// binding names a role that does not exist and the user may not bind it blindly).
    /// </summary>
    /// <param name="user">The requesting user.</param>
    /// <param name="authorizer">The whole authorizer chain, asked about <c>escalate</c> and <c>bind</c>.</param>
    /// <param name="rbac">The RBAC index, for the rules the user holds and the rules a roleRef names.</param>
    /// <param name="resource">roles, clusterroles, rolebindings or clusterrolebindings (others: null).</param>
    /// <param name="obj">The object as it will be written (after defaults).</param>
    /// <param name="old">The stored object on update; null on create.</param>
    public static async ValueTask<Status?> CheckAsync(
        UserInfo user, IAuthorizer authorizer, RbacAuthorizer rbac, ResourceType resource, JsonObject obj, JsonObject? old,
        CancellationToken cancellationToken)
    {
        if (resource.Group != Admission.RbacStrategy.Group || user.IsInGroup(UserInfo.SystemMasters) || (old is not null && OnlyGcFieldsChange(obj, old)))
        {
            return null;
        }

        var ns = resource.Namespaced ? obj.Namespace() ?? "" : "";
        var name = obj.Name() ?? "";
        switch (resource.Kind)
        {
            case "Role" or "ClusterRole":
            {
                // As upstream, the name is the request's: none on create (a POST to the collection).
                if (await AllowedAsync(authorizer, user, "escalate", resource.Plural, ns, old is null ? "" : name, cancellationToken))
                {
                    return null;
                }

                if (Missing(user, rbac, ns, PolicyRule.ListFrom(obj)) is { } missing)
                {
                    return Forbidden.Status(resource.Group, resource.Plural, name, missing);
                }

                var aggregationChanged = old is null ? obj["aggregationRule"] is not null : !JsonNode.DeepEquals(obj["aggregationRule"], old["aggregationRule"]);
                if (resource.Kind == "ClusterRole" && obj["aggregationRule"] is not null && aggregationChanged && Missing(user, rbac, ns, FullAuthority) is not null)
                {
                    return Forbidden.Status(resource.Group, resource.Plural, name, "must have cluster-admin privileges to use the aggregationRule");
                }

                return null;
            }

            case "RoleBinding" or "ClusterRoleBinding":
            {
                var binding = RbacBinding.FromJson(obj);
                var roleResource = binding.RoleRef.Kind switch
                {
                    "ClusterRole" => "clusterroles",
                    "Role" => "roles",
                    _ => null,
                };

                // bind is asked in the binding's namespace, so it can be delegated per namespace.
                if (roleResource is not null && await AllowedAsync(authorizer, user, "bind", roleResource, ns, binding.RoleRef.Name, cancellationToken))
                {
                    return null;
                }

                var (rules, error) = rbac.RulesOf(binding.RoleRef, ns);
                if (rules is null)
                {
                    var roleType = roleResource == "roles" ? RbacAuthorizer.Roles : RbacAuthorizer.ClusterRoles;
                    return roleResource is null
                        ? Forbidden.Status(resource.Group, resource.Plural, name, error!)
                        : Api.Meta.Status.Failure(404, "NotFound", $"{roleType.GroupResource} \"{binding.RoleRef.Name}\" not found") with
                        {
                            Details = new StatusDetails { Name = binding.RoleRef.Name, Group = roleType.Group, Kind = roleType.Plural },
                        };
                }

                return Missing(user, rbac, ns, rules) is { } missing ? Forbidden.Status(resource.Group, resource.Plural, name, missing) : null;
            }

            default:
                return null;
        }
    }

    /// <summary>upstream <c>ConfirmNoEscalation</c>: null when the user holds every rule, else the message.</summary>
    public static string? Missing(UserInfo user, RbacAuthorizer rbac, string ns, IReadOnlyList<PolicyRule> granted)
    {
        var (owned, errors) = rbac.RulesFor(user, ns);
        var uncovered = PolicyCoverage.Uncovered(owned, granted);
        if (uncovered.Count == 0)
        {
            return null;
        }

        var described = PolicyCoverage.Compact(uncovered).Select(r => r.CompactString()).Distinct().Order(StringComparer.Ordinal);
        var message = $"user \"{user.Name}\" (groups={PolicyRule.GoQuoted(user.Groups)}) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", described)}";
        return errors.Count > 0 ? $"{message}; resolution errors: [{string.Join(" ", errors)}]" : message;
    }

    private static async ValueTask<bool> AllowedAsync(
        IAuthorizer authorizer, UserInfo user, string verb, string resource, string ns, string name, CancellationToken cancellationToken)
    {
        var result = await authorizer.AuthorizeAsync(new AuthorizationAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            ApiGroup = Admission.RbacStrategy.Group,
            ApiVersion = "*",
            Resource = resource,
            Namespace = ns,
            Name = name,
        }, cancellationToken);
        return result.Decision == AuthorizationDecision.Allow;
    }

    /// <summary>upstream <c>IsOnlyMutatingGCFields</c>: a change of ownerReferences or finalizers only needs no check (the garbage collector makes them).</summary>
    private static bool OnlyGcFieldsChange(JsonObject obj, JsonObject old)
    {
        var a = Comparable(obj, old);
        var b = Comparable(old, old);
        return JsonNode.DeepEquals(a, b);
    }

    private static JsonObject Comparable(JsonObject obj, JsonObject old)
    {
        var copy = (JsonObject)obj.DeepClone();
        var metadata = copy.Metadata();
        foreach (var field in new[] { "ownerReferences", "finalizers", "resourceVersion", "managedFields", "generation", "creationTimestamp", "uid" })
        {
            metadata.Remove(field);
            if (old["metadata"]?[field] is { } value && field is "ownerReferences" or "finalizers")
            {
                metadata[field] = value.DeepClone();
            }
        }

        copy.Remove("apiVersion");
        copy.Remove("kind");
        return copy;
    }
}
