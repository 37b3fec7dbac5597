using static Edge.ApiServer.Tables.JsonRead;

namespace Edge.ApiServer.Tables.Printers;

/// <summary>Roles and bindings, as upstream's <c>printRole</c>, <c>printClusterRole</c>, <c>printRoleBinding</c>, <c>printClusterRoleBinding</c>.</summary>
static class RbacPrinters
{
    /// <summary>Roles print as the default convertor does: a creation date, not an age.</summary>
    public static readonly TablePrinter Role = DefaultPrinter.Printer;

    public static readonly TablePrinter Binding = new(
    [
        Columns.Name,
        Columns.Text("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
        Columns.Age,
        Columns.Text("Users", "Users in the roleBinding", 1),
        Columns.Text("Groups", "Groups in the roleBinding", 1),
        Columns.Text("ServiceAccounts", "ServiceAccounts in the roleBinding", 1),
    ], (binding, now) =>
    {
        var users = new List<string>();
        var groups = new List<string>();
        var serviceAccounts = new List<string>();
        foreach (var subject in Objects(binding, "subjects"))
        {
            var name = Str(subject, "name");
            switch (Str(subject, "kind"))
            {
                case "User":
                    users.Add(name);
                    break;
                case "Group":
                    groups.Add(name);
                    break;
                case "ServiceAccount":
                    // upstream SubjectsStrings: namespace/name, or the bare name without a namespace.
                    var ns = Str(subject, "namespace");
                    serviceAccounts.Add(ns.Length > 0 ? $"{ns}/{name}" : name);
                    break;
            }
        }

        return
        [
            Name(binding),
            $"{Str(binding, "roleRef", "kind")}/{Str(binding, "roleRef", "name")}",
            Age(binding, now),
            string.Join(", ", users),
            string.Join(", ", groups),
            string.Join(", ", serviceAccounts),
        ];
    });
}
