namespace Edge.Api.Resources;

/// <summary>
/// Every resource Edge serves. Names, short names, categories, scopes and subresources are the
/// upstream ones (kubernetes <c>pkg/registry/*/rest/storage_*.go</c>), because kubectl's
/// abbreviations and <c>get all</c> depend on them.
/// </summary>
public static class ResourceCatalog
{
    public static readonly IReadOnlyList<string> AllVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>Namespaces have no deletecollection upstream.</summary>
    static readonly IReadOnlyList<string> NamespaceVerbs =
        ["create", "delete", "get", "list", "patch", "update", "watch"];

    static readonly IReadOnlyList<string> All = ["all"];

    /// <summary>Reviews are questions, not objects: only POSTed, answered and never stored.</summary>
    static readonly IReadOnlyList<string> CreateOnly = ["create"];

    public static readonly IReadOnlyList<ResourceType> Resources =
    [
        Core("Namespace", "namespaces", false, ["ns"], subresources: ["status", "finalize"], verbs: NamespaceVerbs),
        Core("Node", "nodes", false, ["no"], subresources: ["status"]),
        Core("Pod", "pods", true, ["po"], All, ["status", "binding", "eviction", "log"]),
        Core("Service", "services", true, ["svc"], All, ["status"]),
        Core("Endpoints", "endpoints", true, ["ep"], singular: "endpoints"),
        Core("ConfigMap", "configmaps", true, ["cm"]),
        Core("Secret", "secrets", true, []),
        Core("ServiceAccount", "serviceaccounts", true, ["sa"], subresources: ["token"]),
        Core("Event", "events", true, ["ev"]),
        Core("LimitRange", "limitranges", true, ["limits"]),
        Core("ResourceQuota", "resourcequotas", true, ["quota"], subresources: ["status"]),
        Of("apps", "v1", "Deployment", "deployments", true, ["deploy"], All, ["status", "scale"]),
        Of("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"], All, ["status", "scale"]),
        Of("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"], All, ["status"]),
        Of("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], All, ["status", "scale"]),
        Of("apps", "v1", "ControllerRevision", "controllerrevisions", true, []),
        Review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false),
        Review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
        Review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false),
        Review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false),
        Review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false),
        Of("batch", "v1", "Job", "jobs", true, [], All, ["status"]),
        Of("batch", "v1", "CronJob", "cronjobs", true, ["cj"], All, ["status"]),
        Of("coordination.k8s.io", "v1", "Lease", "leases", true, []),
        Of("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, []),
        Of("events.k8s.io", "v1", "Event", "events", true, ["ev"]),
        Of("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, []),
        Of("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, []),
        Of("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, []),
        Of("rbac.authorization.k8s.io", "v1", "Role", "roles", true, []),
        Of("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, ["pc"]),
    ];

    static readonly Dictionary<(string Group, string Version, string Plural), ResourceType> ByPath =
        Resources.ToDictionary(r => (r.Group, r.Version, r.Plural));

    /// <summary>The resource at <c>/api/v1/&lt;plural&gt;</c> (group "") or <c>/apis/&lt;group&gt;/&lt;version&gt;/&lt;plural&gt;</c>.</summary>
    public static ResourceType? Find(string group, string version, string plural) =>
        ByPath.GetValueOrDefault((group, version, plural));

    /// <summary>The resource serving a kind in a group-version.</summary>
    public static ResourceType? FindKind(string group, string version, string kind) =>
        Resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Kind == kind);

    /// <summary>Group-versions in discovery order: core first, then groups as upstream lists them.</summary>
    public static IEnumerable<(string Group, string Version)> GroupVersions =>
        Resources.Select(r => (r.Group, r.Version)).Distinct();

    static ResourceType Review(string group, string kind, string plural, bool namespaced) =>
        Of(group, "v1", kind, plural, namespaced, [], verbs: CreateOnly) with { Stored = false };

    static ResourceType Core(
        string kind, string plural, bool namespaced, IReadOnlyList<string> shortNames,
        IReadOnlyList<string>? categories = null, IReadOnlyList<string>? subresources = null,
        IReadOnlyList<string>? verbs = null, string? singular = null) =>
        Of("", "v1", kind, plural, namespaced, shortNames, categories, subresources, verbs, singular);

    static ResourceType Of(
        string group, string version, string kind, string plural, bool namespaced, IReadOnlyList<string> shortNames,
        IReadOnlyList<string>? categories = null, IReadOnlyList<string>? subresources = null,
        IReadOnlyList<string>? verbs = null, string? singular = null) =>
        new()
        {
            Group = group,
            Version = version,
            Kind = kind,
            Plural = plural,
            Singular = singular ?? kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames,
            Categories = categories ?? [],
            Subresources = subresources ?? [],
            Verbs = verbs ?? AllVerbs,
        };
}
