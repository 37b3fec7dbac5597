using System.Text.Json.Nodes;
using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>Nodes, namespaces, priority classes and leases, as upstream <c>printNode</c>, <c>printNamespace</c>, <c>printPriorityClass</c>, <c>printLease</c>.</summary>
static class ClusterPrinters
{
    const string RoleLabelPrefix = "node-role.kubernetes.io/";
    const string LegacyRoleLabel = "kubernetes.io/role";

    public static readonly TablePrinter Node = new(
    [
        Columns.Name,
        Columns.Text("Status", "The status of the node"),
        Columns.Text("Roles", "The roles of the node"),
        Columns.Age,
        Columns.Text("Version", "Kubelet Version reported by the node."),
        Columns.Text("Internal-IP", "List of addresses reachable to the node.", 1),
        Columns.Text("External-IP", "List of addresses reachable to the node.", 1),
        Columns.Text("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        Columns.Text("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        Columns.Text("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ], (node, now) =>
    {
        var status = new List<string>();
        // Only the Ready condition shows; the last one of that type wins, as upstream's map does.
        if (Objects(node, "status", "conditions").LastOrDefault(c => Str(c, "type") == "Ready") is { } ready)
            status.Add(Str(ready, "status") == "True" ? "Ready" : "NotReady");
        if (status.Count == 0)
            status.Add("Unknown");
        if (Bool(node, "spec", "unschedulable"))
            status.Add("SchedulingDisabled");

        var roles = Roles(node);
        var info = At(node, "status", "nodeInfo");
        return
        [
            Name(node),
            string.Join(",", status),
            roles.Count == 0 ? "<none>" : string.Join(",", roles),
            Age(node, now),
            Str(info, "kubeletVersion"),
            Address(node, "InternalIP"),
            Address(node, "ExternalIP"),
            Unknown(Str(info, "osImage")),
            Unknown(Str(info, "kernelVersion")),
            Unknown(Str(info, "containerRuntimeVersion")),
        ];
    });

    public static readonly TablePrinter Namespace = new(
    [
        Columns.Name,
        Columns.Text("Status", "The status of the namespace"),
        Columns.Age,
    ], (ns, now) => [Name(ns), Str(ns, "status", "phase"), Age(ns, now)]);

    public static readonly TablePrinter PriorityClass = new(
    [
        Columns.Name,
        Columns.Integer("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
        new TableColumn("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
        Columns.Age,
        Columns.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
    ], (pc, now) => [Name(pc), Int(pc, "value"), Bool(pc, "globalDefault"), Age(pc, now), Str(pc, "preemptionPolicy")]);

    public static readonly TablePrinter Lease = new(
    [
        Columns.Name,
        Columns.Text("Holder", "holderIdentity contains the identity of the holder of a current lease."),
        Columns.Age,
    ], (lease, now) => [Name(lease), Str(lease, "spec", "holderIdentity"), Age(lease, now)]);

    /// <summary>Roles from <c>node-role.kubernetes.io/&lt;role&gt;</c> keys and the legacy <c>kubernetes.io/role</c> value, sorted.</summary>
    static SortedSet<string> Roles(JsonObject node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        if (At(node, "metadata", "labels") is not JsonObject labels)
            return roles;
        foreach (var (key, value) in labels)
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && key.Length > RoleLabelPrefix.Length)
                roles.Add(key[RoleLabelPrefix.Length..]);
            else if (key == LegacyRoleLabel && Str(value) is { Length: > 0 } role)
                roles.Add(role);
        }
        return roles;
    }

    static string Address(JsonObject node, string type) =>
        Objects(node, "status", "addresses").FirstOrDefault(a => Str(a, "type") == type) is { } address
            ? Str(address, "address")
            : "<none>";

    static string Unknown(string value) => value.Length == 0 ? "<unknown>" : value;
}
