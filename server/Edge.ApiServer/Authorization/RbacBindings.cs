using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Authorization;

/// <summary>A binding's roleRef: <c>Role</c> (in the binding's namespace) or <c>ClusterRole</c>.</summary>
public sealed record RoleRef(string Kind, string Name);

/// <summary>A binding's subject; <see cref="Namespace"/> only for service accounts.</summary>
public sealed record Subject(string Kind, string Name, string Namespace)
{
    /// <summary>upstream <c>appliesToUser</c>; a service account without namespace is the binding's own.</summary>
    public bool AppliesTo(UserInfo user, string bindingNamespace) => Kind switch
    {
        "User" => user.Name == Name,
        "Group" => user.IsInGroup(Name),
        "ServiceAccount" => (Namespace.Length > 0 ? Namespace : bindingNamespace) is { Length: > 0 } ns &&
            user.Name == $"{UserInfo.ServiceAccountUserPrefix}{ns}:{Name}",
        _ => false,
    };

    /// <summary>upstream <c>describeSubject</c>, for the reason of an allow.</summary>
    public string Describe(string bindingNamespace) => Kind == "ServiceAccount"
        ? $"{Kind} \"{Name}/{(Namespace.Length > 0 ? Namespace : bindingNamespace)}\""
        : $"{Kind} \"{Name}\"";
}

/// <summary>A RoleBinding (with its namespace) or ClusterRoleBinding (namespace empty).</summary>
public sealed record RbacBinding(string Namespace, string Name, RoleRef RoleRef, IReadOnlyList<Subject> Subjects)
{
    public static RbacBinding FromJson(JsonObject obj)
    {
        var roleRef = obj["roleRef"];
        var subjects = obj["subjects"] is JsonArray list
            ? list.OfType<JsonObject>().Select(s => new Subject(
                ObjectFields.String(s, "kind") ?? "", ObjectFields.String(s, "name") ?? "", ObjectFields.String(s, "namespace") ?? "")).ToList()
            : [];
        return new RbacBinding(obj.Namespace() ?? "", obj.Name() ?? "",
            new RoleRef(ObjectFields.String(roleRef, "kind") ?? "", ObjectFields.String(roleRef, "name") ?? ""), subjects);
    }

    /// <summary>The first subject that is the user, as upstream's <c>appliesTo</c>.</summary>
    public Subject? SubjectFor(UserInfo user) => Subjects.FirstOrDefault(s => s.AppliesTo(user, Namespace));

    /// <summary>upstream's <c>clusterRoleBindingDescriber</c> / <c>roleBindingDescriber</c>.</summary>
    public string Describe(Subject subject) => Namespace.Length == 0
        ? $"ClusterRoleBinding \"{Name}\" of {RoleRef.Kind} \"{RoleRef.Name}\" to {subject.Describe("")}"
        : $"RoleBinding \"{Name}/{Namespace}\" of {RoleRef.Kind} \"{RoleRef.Name}\" to {subject.Describe(Namespace)}";
}
