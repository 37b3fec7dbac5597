using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.ClusterRoleAggregation;

/// <summary>
/// Keeps the rules of every ClusterRole with an <c>aggregationRule</c> equal to the union of the
/// rules of the ClusterRoles its selectors match (upstream <c>clusterroleaggregation</c>
/// controller): roles sorted by name, each rule once, in first-seen order. That is how
/// <c>admin</c>, <c>edit</c> and <c>view</c> grow when a role labelled
/// <c>rbac.authorization.k8s.io/aggregate-to-view: "true"</c> appears.
/// </summary>
public sealed class ClusterRoleAggregationController : Controller
{
    private static readonly ResourceType ClusterRoles = KnownResources.ClusterRoles;

    private readonly IClusterClient _client;
    private readonly Informer _roles;

    public ClusterRoleAggregationController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("clusterrole-aggregation-controller", loggers.CreateLogger("clusterrole-aggregation-controller"), time)
    {
        _client = informers.Client;
        _roles = informers.For(ClusterRoles);
        // Any role may be selected by any aggregated one: a change anywhere re-checks all of them.
        _roles.AddHandler(new InformerHandler(
            added: _ => EnqueueAggregated(),
            updated: (_, _) => EnqueueAggregated(),
            deleted: _ => EnqueueAggregated()));
    }

    private void EnqueueAggregated()
    {
        foreach (var role in _roles.List())
        {
            if (role["aggregationRule"] is JsonObject)
            {
                Enqueue(role.Name()!);
            }
        }
    }

    protected override async Task ReconcileAsync(string name, CancellationToken cancellationToken)
    {
        if (_roles.Get(null, name) is not { } role || role["aggregationRule"] is not JsonObject aggregation)
        {
            return;
        }

        var rules = new JsonArray();
        var others = _roles.List().OrderBy(r => r.Name(), StringComparer.Ordinal).ToList();
        foreach (var selectorNode in aggregation["clusterRoleSelectors"] as JsonArray ?? [])
        {
            // Validation refused invalid selectors; one that slipped in selects nothing.
            LabelSelector selector;
            try
            {
                selector = LabelSelector.FromObject(selectorNode as JsonObject);
            }
            catch (SelectorException)
            {
                continue;
            }

            foreach (var other in others)
            {
                if (other.Name() == name || !selector.Matches(other.Labels()))
                {
                    continue;
                }

                foreach (var rule in other["rules"] as JsonArray ?? [])
                {
                    if (rule is JsonObject && !rules.Any(r => JsonNode.DeepEquals(r, rule)))
                    {
                        rules.Add(rule.DeepClone());
                    }
                }
            }
        }

        if (JsonNode.DeepEquals(rules, role["rules"] ?? new JsonArray()))
        {
            return;
        }

        var updated = (JsonObject)role.DeepClone();
        updated["rules"] = rules;
        // Pinned to the version read: a concurrent change is a 409 and the key comes back.
        await _client.UpdateAsync(ClusterRoles, updated, null, cancellationToken);
    }
}
