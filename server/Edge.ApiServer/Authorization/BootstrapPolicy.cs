using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// The roles and bindings every cluster starts with, as upstream's bootstrap policy
/// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go). admin, edit and view are
/// aggregated (the clusterrole-aggregation controller fills their rules from the
/// <c>system:aggregate-to-*</c> roles, and view aggregates into edit, edit into admin).
/// Created when missing, never overwritten: operators may change them.
/// </summary>
public static class BootstrapPolicy
{
    private const string AggregateTo = "rbac.authorization.k8s.io/aggregate-to-";
    private const string AutoUpdate = "rbac.authorization.kubernetes.io/autoupdate";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] ReadWrite = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static IReadOnlyList<JsonObject> ClusterRoles() =>
    [
        Role("cluster-admin", null, null,
            PolicyRule.Resource(["*"], ["*"], ["*"]),
            PolicyRule.Urls(["*"], ["*"])),
        Role("admin", null, "admin"),
        Role("edit", "admin", "edit"),
        Role("view", "edit", "view"),
        Role("system:aggregate-to-admin", "admin", null,
            PolicyRule.Resource(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
            PolicyRule.Resource(ReadWrite, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"])),
        Role("system:aggregate-to-edit", "edit", null,
            // Read on escalating resources.
            PolicyRule.Resource(Read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
            PolicyRule.Resource(["impersonate"], [""], ["serviceaccounts"]),
            PolicyRule.Resource(Write, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            PolicyRule.Resource(["create"], [""], ["pods/eviction"]),
            PolicyRule.Resource(Write, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"]),
            PolicyRule.Resource(["create"], [""], ["serviceaccounts/token"]),
            PolicyRule.Resource(Write, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
            PolicyRule.Resource(Write, ["autoscaling"], ["horizontalpodautoscalers"]),
            PolicyRule.Resource(Write, ["batch"], ["cronjobs", "jobs"]),
            PolicyRule.Resource(Write, ["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"]),
            PolicyRule.Resource(Write, ["policy"], ["poddisruptionbudgets"]),
            PolicyRule.Resource(Write, ["networking.k8s.io"], ["ingresses", "networkpolicies"])),
        Role("system:aggregate-to-view", "view", null,
            PolicyRule.Resource(Read, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
            PolicyRule.Resource(Read, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
            // Read of namespaces at the namespace scope: this namespace only.
            PolicyRule.Resource(Read, [""], ["namespaces"]),
            PolicyRule.Resource(Read, ["discovery.k8s.io"], ["endpointslices"]),
            PolicyRule.Resource(Read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
            PolicyRule.Resource(Read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            PolicyRule.Resource(Read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
            PolicyRule.Resource(Read, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"]),
            PolicyRule.Resource(Read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            PolicyRule.Resource(Read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"])),
        Role("system:basic-user", null, null,
            PolicyRule.Resource(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            PolicyRule.Resource(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])),
        Role("system:discovery", null, null,
            PolicyRule.Urls(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"])),
        Role("system:public-info-viewer", null, null,
            PolicyRule.Urls(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"])),
        Role("system:node", null, null, NodeRules()),
    ];

    public static IReadOnlyList<JsonObject> ClusterRoleBindings() =>
    [
        Binding("cluster-admin", "cluster-admin", GroupSubject(Authentication.UserInfo.SystemMasters)),
        Binding("system:basic-user", "system:basic-user", GroupSubject(Authentication.UserInfo.Authenticated)),
        Binding("system:discovery", "system:discovery", GroupSubject(Authentication.UserInfo.Authenticated)),
        Binding("system:public-info-viewer", "system:public-info-viewer",
            GroupSubject(Authentication.UserInfo.Authenticated), GroupSubject(Authentication.UserInfo.Unauthenticated)),
    ];

    /// <summary>upstream <c>NodeRules()</c>; the node authorizer narrows them to the node's own objects.</summary>
    public static PolicyRule[] NodeRules() =>
    [
        PolicyRule.Resource(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
        PolicyRule.Resource(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
        PolicyRule.Resource(Read, [""], ["services"]),
        PolicyRule.Resource(["create", "get", "list", "watch"], [""], ["nodes"]),
        PolicyRule.Resource(["patch", "update"], [""], ["nodes/status"]),
        PolicyRule.Resource(["patch", "update"], [""], ["nodes"]),
        PolicyRule.Resource(["create", "patch", "update"], ["", "events.k8s.io"], ["events"]),
        PolicyRule.Resource(Read, [""], ["pods"]),
        PolicyRule.Resource(["create", "delete"], [""], ["pods"]),
        PolicyRule.Resource(["patch", "update"], [""], ["pods/status"]),
        PolicyRule.Resource(["create"], [""], ["pods/eviction"]),
        PolicyRule.Resource(Read, [""], ["configmaps", "secrets"]),
        PolicyRule.Resource(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
        PolicyRule.Resource(["get"], [""], ["endpoints"]),
        PolicyRule.Resource(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
        PolicyRule.Resource(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
        PolicyRule.Resource(["get"], ["storage.k8s.io"], ["volumeattachments"]),
        PolicyRule.Resource(["create"], [""], ["serviceaccounts/token"]),
        PolicyRule.Resource(["patch", "update"], [""], ["persistentvolumeclaims/status"]),
        PolicyRule.Resource(Read, ["storage.k8s.io"], ["csidrivers"]),
        PolicyRule.Resource(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
        PolicyRule.Resource(Read, ["node.k8s.io"], ["runtimeclasses"]),
    ];

    /// <summary>Creates each default role and binding that is missing; present ones are left as they are.</summary>
    public static async Task EnsureAsync(ObjectRegistry registry, CancellationToken cancellationToken)
    {
        foreach (var role in ClusterRoles())
        {
            await CreateIfMissingAsync(registry, RbacAuthorizer.ClusterRoles, role, cancellationToken);
        }

        foreach (var binding in ClusterRoleBindings())
        {
            await CreateIfMissingAsync(registry, RbacAuthorizer.ClusterRoleBindings, binding, cancellationToken);
        }
    }

    private static async Task CreateIfMissingAsync(ObjectRegistry registry, Api.Resources.ResourceType resource, JsonObject obj, CancellationToken cancellationToken)
    {
        try
        {
            await registry.CreateAsync(resource, null, obj, new WriteOptions(), cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code == 409)
        {
        }
    }

    /// <param name="labelledInto">The aggregated role this one feeds (<c>aggregate-to-&lt;x&gt;</c> label), if any.</param>
    /// <param name="aggregates">The label this role aggregates (<c>aggregate-to-&lt;x&gt;</c> selector), if any.</param>
    private static JsonObject Role(string name, string? labelledInto, string? aggregates, params PolicyRule[] rules)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["annotations"] = new JsonObject { [AutoUpdate] = "true" },
        };
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        if (labelledInto is not null)
        {
            labels[AggregateTo + labelledInto] = "true";
        }

        metadata["labels"] = labels;
        var role = new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "ClusterRole",
            ["metadata"] = metadata,
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode?)r.ToJson()).ToArray()),
        };
        if (aggregates is not null)
        {
            role["aggregationRule"] = new JsonObject
            {
                ["clusterRoleSelectors"] = new JsonArray(new JsonObject
                {
                    ["matchLabels"] = new JsonObject { [AggregateTo + aggregates] = "true" },
                }),
            };
        }

        return role;
    }

    private static JsonObject GroupSubject(string group) => new()
    {
        ["apiGroup"] = "rbac.authorization.k8s.io",
        ["kind"] = "Group",
        ["name"] = group,
    };

    private static JsonObject Binding(string name, string role, params JsonObject[] subjects) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["annotations"] = new JsonObject { [AutoUpdate] = "true" },
            ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        },
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(subjects.Select(s => (JsonNode?)s).ToArray()),
    };
}
