using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Tables.Printers;

namespace Edge.ApiServer.Tables;

/// <summary>
/// Turns objects into the meta.k8s.io/v1 Table kubectl asks for with
/// <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>. Every column is always sent
/// (the server prints "wide" as upstream does) and kubectl hides priority ≠ 0 without <c>-o wide</c>.
/// </summary>
public static class TableConvertor
{
    static readonly Dictionary<(string Group, string Plural), TablePrinter> Printers = new()
    {
        [("", "pods")] = PodPrinter.Printer,
        [("", "nodes")] = ClusterPrinters.Node,
        [("", "namespaces")] = ClusterPrinters.Namespace,
        [("", "services")] = NetworkPrinters.Service,
        [("", "endpoints")] = NetworkPrinters.Endpoints,
        [("", "configmaps")] = ConfigPrinters.ConfigMap,
        [("", "secrets")] = ConfigPrinters.Secret,
        [("", "serviceaccounts")] = ConfigPrinters.ServiceAccount,
        [("", "resourcequotas")] = ConfigPrinters.ResourceQuota,
        [("", "events")] = EventPrinter.Core,
        [("events.k8s.io", "events")] = EventPrinter.EventsV1,
        [("apps", "deployments")] = WorkloadPrinters.Deployment,
        [("apps", "replicasets")] = WorkloadPrinters.ReplicaSet,
        [("apps", "daemonsets")] = WorkloadPrinters.DaemonSet,
        [("apps", "statefulsets")] = WorkloadPrinters.StatefulSet,
        [("apps", "controllerrevisions")] = WorkloadPrinters.ControllerRevision,
        [("batch", "jobs")] = WorkloadPrinters.Job,
        [("batch", "cronjobs")] = WorkloadPrinters.CronJob,
        [("coordination.k8s.io", "leases")] = ClusterPrinters.Lease,
        [("discovery.k8s.io", "endpointslices")] = NetworkPrinters.EndpointSlice,
        [("scheduling.k8s.io", "priorityclasses")] = ClusterPrinters.PriorityClass,
        [("rbac.authorization.k8s.io", "roles")] = RbacPrinters.Role,
        [("rbac.authorization.k8s.io", "clusterroles")] = RbacPrinters.Role,
        [("rbac.authorization.k8s.io", "rolebindings")] = RbacPrinters.Binding,
        [("rbac.authorization.k8s.io", "clusterrolebindings")] = RbacPrinters.Binding,
    };

    /// <summary>The column definitions served for <paramref name="resource"/>.</summary>
    public static IReadOnlyList<TableColumn> ColumnsFor(ResourceType resource) => PrinterFor(resource).Columns;

    /// <summary>
    /// A Table of <paramref name="objects"/> (one object for <c>kubectl get NAME</c>). Each row's
    /// <c>object</c> is the whole object when <paramref name="includeObject"/>, else a
    /// PartialObjectMetadata carrying the metadata kubectl needs for <c>-A</c>, <c>--show-labels</c>, <c>-L</c>.
    /// </summary>
    public static JsonObject ToTable(
        ResourceType resource, IReadOnlyList<JsonObject> objects, DateTimeOffset now,
        bool includeObject, string? resourceVersion, string? continueToken)
    {
        var printer = PrinterFor(resource);
        var metadata = new JsonObject();
        if (!string.IsNullOrEmpty(resourceVersion))
            metadata["resourceVersion"] = resourceVersion;
        if (!string.IsNullOrEmpty(continueToken))
            metadata["continue"] = continueToken;

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(printer.Cells(obj, now)) };
            if (printer.Conditions?.Invoke(obj) is { } conditions)
                row["conditions"] = new JsonArray(conditions);
            row["object"] = includeObject ? obj.DeepClone() : PartialObjectMetadata(obj);
            rows.Add((JsonNode)row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = new JsonArray(printer.Columns.Select(c => (JsonNode)c.ToJson()).ToArray()),
            ["rows"] = rows,
        };
    }

    static TablePrinter PrinterFor(ResourceType resource) =>
        Printers.GetValueOrDefault((resource.Group, resource.Plural)) ?? DefaultPrinter.Printer;

    static JsonObject PartialObjectMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
    };
}
