using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// Upstream's RBAC authorizer (plugin/pkg/auth/authorizer/rbac): a request is allowed when a rule
/// of a role bound to the user allows it — ClusterRoleBindings grant their ClusterRole everywhere,
/// RoleBindings grant their Role or ClusterRole inside their own namespace. RBAC only ever allows:
/// anything else is no opinion, and the chain's end forbids. Answers come from memory, an index of
/// the four RBAC kinds that follows the watch cache (see RbacAuthorizer.Feed.cs).
/// </summary>
public sealed partial class RbacAuthorizer : IAuthorizer
{
    public static readonly ResourceType Roles = ResourceCatalog.Find(Admission.RbacStrategy.Group, "v1", "roles")!;
    public static readonly ResourceType ClusterRoles = ResourceCatalog.Find(Admission.RbacStrategy.Group, "v1", "clusterroles")!;
    public static readonly ResourceType RoleBindings = ResourceCatalog.Find(Admission.RbacStrategy.Group, "v1", "rolebindings")!;
    public static readonly ResourceType ClusterRoleBindings = ResourceCatalog.Find(Admission.RbacStrategy.Group, "v1", "clusterrolebindings")!;

    /// <summary>One consistent view of the index; replaced whole on every change, so readers never lock.</summary>
    private sealed record Index(
        ImmutableDictionary<string, IReadOnlyList<PolicyRule>> ClusterRoles,
        ImmutableDictionary<(string Namespace, string Name), IReadOnlyList<PolicyRule>> Roles,
        ImmutableSortedDictionary<string, RbacBinding> ClusterRoleBindings,
        ImmutableDictionary<string, ImmutableSortedDictionary<string, RbacBinding>> RoleBindings);

    private static readonly Index Empty = new(
        ImmutableDictionary<string, IReadOnlyList<PolicyRule>>.Empty,
        ImmutableDictionary<(string, string), IReadOnlyList<PolicyRule>>.Empty,
        ImmutableSortedDictionary.Create<string, RbacBinding>(StringComparer.Ordinal),
        ImmutableDictionary<string, ImmutableSortedDictionary<string, RbacBinding>>.Empty);

    private readonly object _writeLock = new();
    private readonly IClusterClient? _client;
    private readonly ILogger? _logger;
    private Index _index = Empty;

    /// <param name="client">The in-process client the index follows (<c>ApiServices.Client</c>); null for an index fed by hand.</param>
    public RbacAuthorizer(IClusterClient? client = null, ILogger? logger = null)
    {
        _client = client;
        _logger = logger;
    }

    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken)
    {
        string? reason = null;
        var errors = new List<string>();
        VisitRules(attributes.User, attributes.Namespace, (source, rule) =>
        {
            if (rule.Allows(attributes))
            {
                reason = $"RBAC: allowed by {source}";
                return false;
            }

            return true;
        }, errors);

        if (reason is not null)
        {
            return ValueTask.FromResult(AuthorizationResult.Allow(reason));
        }

        // Unresolvable role references are worth telling in the 403 (upstream appends them too).
        return ValueTask.FromResult(errors.Count == 0
            ? AuthorizationResult.NoOpinion
            : new AuthorizationResult(AuthorizationDecision.NoOpinion, "RBAC: " + Aggregate(errors)));
    }

    /// <summary>
    /// Every rule that applies to the user in a namespace ("" for cluster-wide only), with the
    /// reference errors met on the way (upstream <c>RulesFor</c>; errors make the list incomplete).
    /// </summary>
    public (IReadOnlyList<PolicyRule> Rules, IReadOnlyList<string> Errors) RulesFor(UserInfo user, string ns)
    {
        var rules = new List<PolicyRule>();
        var errors = new List<string>();
        VisitRules(user, ns, (_, rule) =>
        {
            rules.Add(rule);
            return true;
        }, errors);
        return (rules, errors);
    }

    /// <summary>The rules a roleRef names (a Role in <paramref name="ns"/>, or a ClusterRole), or the not-found message.</summary>
    public (IReadOnlyList<PolicyRule>? Rules, string? Error) RulesOf(RoleRef roleRef, string ns)
    {
        var index = Volatile.Read(ref _index);
        return roleRef.Kind switch
        {
            "ClusterRole" => index.ClusterRoles.TryGetValue(roleRef.Name, out var rules)
                ? (rules, null)
                : (null, $"clusterrole.rbac.authorization.k8s.io \"{roleRef.Name}\" not found"),
            "Role" => index.Roles.TryGetValue((ns, roleRef.Name), out var rules)
                ? (rules, null)
                : (null, $"role.rbac.authorization.k8s.io \"{roleRef.Name}\" not found"),
            _ => (null, $"unsupported role reference kind: \"{roleRef.Kind}\""),
        };
    }

    /// <summary>upstream <c>VisitRulesFor</c>: cluster role bindings first, then the namespace's role bindings; the visitor returns false to stop.</summary>
    private void VisitRules(UserInfo user, string ns, Func<string, PolicyRule, bool> visit, List<string> errors)
    {
        var index = Volatile.Read(ref _index);
        foreach (var binding in index.ClusterRoleBindings.Values)
        {
            if (!VisitBinding(binding, user, "", visit, errors))
            {
                return;
            }
        }

        if (ns.Length > 0 && index.RoleBindings.TryGetValue(ns, out var bindings))
        {
            foreach (var binding in bindings.Values)
            {
                if (!VisitBinding(binding, user, ns, visit, errors))
                {
                    return;
                }
            }
        }
    }

    private bool VisitBinding(RbacBinding binding, UserInfo user, string ns, Func<string, PolicyRule, bool> visit, List<string> errors)
    {
        if (binding.SubjectFor(user) is not { } subject)
        {
            return true;
        }

        var (rules, error) = RulesOf(binding.RoleRef, ns);
        if (rules is null)
        {
            errors.Add(error!);
            return true;
        }

        var source = binding.Describe(subject);
        foreach (var rule in rules)
        {
            if (!visit(source, rule))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds or replaces one object of the four RBAC kinds in the index.</summary>
    public void Observe(ResourceType resource, JsonObject obj) => Change(resource, obj, deleted: false);

    /// <summary>Removes one object from the index.</summary>
    public void Forget(ResourceType resource, JsonObject obj) => Change(resource, obj, deleted: true);

    private void Change(ResourceType resource, JsonObject obj, bool deleted)
    {
        var ns = obj.Namespace() ?? "";
        var name = obj.Name() ?? "";
        lock (_writeLock)
        {
            var index = _index;
            _index = resource.Kind switch
            {
                "ClusterRole" => index with
                {
                    ClusterRoles = deleted ? index.ClusterRoles.Remove(name) : index.ClusterRoles.SetItem(name, PolicyRule.ListFrom(obj)),
                },
                "Role" => index with
                {
                    Roles = deleted ? index.Roles.Remove((ns, name)) : index.Roles.SetItem((ns, name), PolicyRule.ListFrom(obj)),
                },
                "ClusterRoleBinding" => index with
                {
                    ClusterRoleBindings = deleted ? index.ClusterRoleBindings.Remove(name) : index.ClusterRoleBindings.SetItem(name, RbacBinding.FromJson(obj)),
                },
                "RoleBinding" => index with { RoleBindings = ChangeRoleBinding(index.RoleBindings, ns, name, deleted ? null : RbacBinding.FromJson(obj)) },
                _ => index,
            };
        }
    }

    private static ImmutableDictionary<string, ImmutableSortedDictionary<string, RbacBinding>> ChangeRoleBinding(
        ImmutableDictionary<string, ImmutableSortedDictionary<string, RbacBinding>> all, string ns, string name, RbacBinding? binding)
    {
        var inNamespace = all.GetValueOrDefault(ns) ?? ImmutableSortedDictionary.Create<string, RbacBinding>(StringComparer.Ordinal);
        inNamespace = binding is null ? inNamespace.Remove(name) : inNamespace.SetItem(name, binding);
        return inNamespace.IsEmpty ? all.Remove(ns) : all.SetItem(ns, inNamespace);
    }

    /// <summary>Replaces everything of one kind (after a list).</summary>
    private void Reset(ResourceType resource, IReadOnlyList<JsonObject> objects)
    {
        lock (_writeLock)
        {
            var index = _index;
            _index = resource.Kind switch
            {
                "ClusterRole" => index with { ClusterRoles = Empty.ClusterRoles },
                "Role" => index with { Roles = Empty.Roles },
                "ClusterRoleBinding" => index with { ClusterRoleBindings = Empty.ClusterRoleBindings },
                "RoleBinding" => index with { RoleBindings = Empty.RoleBindings },
                _ => index,
            };
            foreach (var obj in objects)
            {
                Change(resource, obj, deleted: false);
            }
        }
    }

    /// <summary>apimachinery's aggregate error text: one message as is, several in brackets.</summary>
    internal static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
}
