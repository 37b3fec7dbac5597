using Edge.Api.Meta;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// The 403 of a request the authorizers did not allow, worded as upstream's <c>forbiddenMessage</c>
/// and <c>NewForbidden</c> (apiserver endpoints/handlers/responsewriters/errors.go), so kubectl
/// prints <c>Error from server (Forbidden): pods "x" is forbidden: User "bob" cannot get resource …</c>.
/// </summary>
public static class Forbidden
{
    public static Status For(AuthorizationAttributes attributes, string reason = "")
    {
        var message = Message(attributes);
        if (reason.Length > 0)
        {
            message = $"{message}: {reason}";
        }

        return Status(attributes.ApiGroup, attributes.IsResourceRequest ? attributes.Resource : "", attributes.Name, message);
    }

    /// <summary>upstream <c>forbiddenMessage</c>.</summary>
    public static string Message(AuthorizationAttributes attributes)
    {
        var user = attributes.User.Name;
        if (!attributes.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {attributes.Verb} path \"{attributes.Path}\"";
        }

        var resource = attributes.Subresource.Length > 0 ? $"{attributes.Resource}/{attributes.Subresource}" : attributes.Resource;
        return attributes.Namespace.Length > 0
            ? $"User \"{user}\" cannot {attributes.Verb} resource \"{resource}\" in API group \"{attributes.ApiGroup}\" in the namespace \"{attributes.Namespace}\""
            : $"User \"{user}\" cannot {attributes.Verb} resource \"{resource}\" in API group \"{attributes.ApiGroup}\" at the cluster scope";
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;

    /// <summary>upstream <c>NewForbidden(groupResource, name, err)</c>.</summary>
    public static Status Status(string group, string resource, string name, string why)
    {
        var groupResource = group.Length == 0 ? resource : $"{resource}.{group}";
        var message = group.Length == 0 && resource.Length == 0 ? $"forbidden: {why}"
            : name.Length == 0 ? $"{groupResource} is forbidden: {why}"
            : $"{groupResource} \"{name}\" is forbidden: {why}";
        return Api.Meta.Status.Failure(403, "Forbidden", message) with
        {
            // Go leaves empty detail fields out (omitempty).
            Details = new StatusDetails { Name = Blank(name), Group = Blank(group), Kind = Blank(resource) },
        };
    }
}
