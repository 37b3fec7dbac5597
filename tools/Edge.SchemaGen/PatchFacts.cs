namespace Edge.SchemaGen;

/// <summary>
/// The strategic-merge and list-type metadata of the fields Edge serves. KubernetesClient drops the
/// Go struct tags, so they are restated here from upstream k8s.io/api (core/v1, apps/v1, batch/v1,
/// discovery/v1 types.go: <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags and the
/// <c>+listType</c>/<c>+listMapKey</c> markers) and k8s.io/apimachinery meta/v1 types.go.
/// Keyed by definition name and JSON property name.
/// </summary>
internal static class PatchFacts
{
    public sealed record Fact(string? Strategy, string? MergeKey, string? ListType = null, string[]? MapKeys = null);

    const string Core = "io.k8s.api.core.v1.";
    const string Apps = "io.k8s.api.apps.v1.";
    const string Batch = "io.k8s.api.batch.v1.";
    const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    const string Discovery = "io.k8s.api.discovery.v1.";

    static readonly Fact MergeByType = new("merge", "type");
    static readonly Fact MergeByName = new("merge", "name");

    public static readonly IReadOnlyDictionary<(string Definition, string Property), Fact> All =
        new Dictionary<(string, string), Fact>
        {
            [(Meta + "ObjectMeta", "finalizers")] = new("merge", null, "set"),
            [(Meta + "ObjectMeta", "ownerReferences")] = new("merge", "uid", "map", ["uid"]),
            [(Meta + "LabelSelector", "matchExpressions")] = new(null, null, "atomic"),

            [(Core + "PodSpec", "volumes")] = new("merge,retainKeys", "name", "map", ["name"]),
            [(Core + "PodSpec", "initContainers")] = new("merge", "name", "map", ["name"]),
            [(Core + "PodSpec", "containers")] = new("merge", "name", "map", ["name"]),
            [(Core + "PodSpec", "ephemeralContainers")] = new("merge", "name", "map", ["name"]),
            [(Core + "PodSpec", "imagePullSecrets")] = new("merge", "name", "map", ["name"]),
            [(Core + "PodSpec", "hostAliases")] = new("merge", "ip", "map", ["ip"]),
            [(Core + "PodSpec", "topologySpreadConstraints")] = new("merge", "topologyKey", "map", ["topologyKey", "whenUnsatisfiable"]),
            [(Core + "PodSpec", "schedulingGates")] = new("merge", "name", "map", ["name"]),
            [(Core + "PodSpec", "resourceClaims")] = new("merge,retainKeys", "name", "map", ["name"]),
            [(Core + "PodSpec", "readinessGates")] = new(null, null, "atomic"),
            [(Core + "PodSpec", "tolerations")] = new(null, null, "atomic"),
            [(Core + "Container", "ports")] = new("merge", "containerPort", "map", ["containerPort", "protocol"]),
            [(Core + "Container", "env")] = new("merge", "name", "map", ["name"]),
            [(Core + "Container", "volumeMounts")] = new("merge", "mountPath", "map", ["mountPath"]),
            [(Core + "Container", "volumeDevices")] = new("merge", "devicePath", "map", ["devicePath"]),
            [(Core + "Container", "resizePolicy")] = new(null, null, "atomic"),
            [(Core + "EphemeralContainer", "ports")] = new(null, null, "map", ["containerPort", "protocol"]),
            [(Core + "EphemeralContainer", "env")] = new("merge", "name", "map", ["name"]),
            [(Core + "EphemeralContainer", "volumeMounts")] = new("merge", "mountPath", "map", ["mountPath"]),
            [(Core + "EphemeralContainer", "volumeDevices")] = new("merge", "devicePath", "map", ["devicePath"]),
            [(Core + "PodStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "PodStatus", "podIPs")] = new("merge", "ip", "map", ["ip"]),
            [(Core + "PodStatus", "hostIPs")] = new("merge", "ip", "atomic"),
            [(Core + "PodStatus", "resourceClaimStatuses")] = new("merge,retainKeys", "name", "map", ["name"]),
            [(Core + "NodeSpec", "podCIDRs")] = new("merge", null, "set"),
            [(Core + "NodeStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "NodeStatus", "addresses")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "NamespaceStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "ServiceSpec", "ports")] = new("merge", "port", "map", ["port", "protocol"]),
            [(Core + "ServiceSpec", "clusterIPs")] = new(null, null, "atomic"),
            [(Core + "ServiceSpec", "ipFamilies")] = new(null, null, "atomic"),
            [(Core + "ServiceStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "PersistentVolumeClaimStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Core + "ServiceAccount", "secrets")] = MergeByName with { ListType = "map", MapKeys = ["name"] },

            [(Apps + "DeploymentSpec", "strategy")] = new("retainKeys", null),
            [(Apps + "DeploymentStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Apps + "ReplicaSetStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Apps + "DaemonSetStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Apps + "StatefulSetStatus", "conditions")] = MergeByType with { ListType = "map", MapKeys = ["type"] },
            [(Apps + "StatefulSetSpec", "volumeClaimTemplates")] = new(null, null, "atomic"),

            [(Batch + "JobStatus", "conditions")] = MergeByType with { ListType = "atomic" },
            [(Batch + "CronJobStatus", "active")] = new(null, null, "atomic"),

            [(Discovery + "EndpointSlice", "endpoints")] = new(null, null, "atomic"),
            [(Discovery + "EndpointSlice", "ports")] = new(null, null, "atomic"),
        };
}
