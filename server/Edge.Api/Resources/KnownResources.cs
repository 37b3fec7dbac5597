namespace Edge.Api.Resources;

/// <summary>The resources the control loops name in code, looked up once from the catalog.</summary>
public static class KnownResources
{
    public static readonly ResourceType Namespaces = Core("namespaces");
    public static readonly ResourceType Nodes = Core("nodes");
    public static readonly ResourceType Pods = Core("pods");
    public static readonly ResourceType Services = Core("services");
    public static readonly ResourceType Endpoints = Core("endpoints");
    public static readonly ResourceType ServiceAccounts = Core("serviceaccounts");
    public static readonly ResourceType ConfigMaps = Core("configmaps");
    public static readonly ResourceType Events = Core("events");
    public static readonly ResourceType Deployments = Apps("deployments");
    public static readonly ResourceType ReplicaSets = Apps("replicasets");
    public static readonly ResourceType DaemonSets = Apps("daemonsets");
    public static readonly ResourceType StatefulSets = Apps("statefulsets");
    public static readonly ResourceType ControllerRevisions = Apps("controllerrevisions");
    public static readonly ResourceType Jobs = ResourceCatalog.Find("batch", "v1", "jobs")!;
    public static readonly ResourceType CronJobs = ResourceCatalog.Find("batch", "v1", "cronjobs")!;
    public static readonly ResourceType Leases = ResourceCatalog.Find("coordination.k8s.io", "v1", "leases")!;
    public static readonly ResourceType EndpointSlices = ResourceCatalog.Find("discovery.k8s.io", "v1", "endpointslices")!;
    public static readonly ResourceType ClusterRoles = ResourceCatalog.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!;
    public static readonly ResourceType PriorityClasses = ResourceCatalog.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    /// <summary>The resource of a kind named in an ownerReference (<c>apps/v1</c>, <c>ReplicaSet</c>).</summary>
    public static ResourceType? ForKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        return ResourceCatalog.Resources.FirstOrDefault(r => r.Group == group && r.Kind == kind);
    }

    private static ResourceType Core(string plural) => ResourceCatalog.Find("", "v1", plural)!;

    private static ResourceType Apps(string plural) => ResourceCatalog.Find("apps", "v1", plural)!;
}
