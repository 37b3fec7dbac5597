using Edge.Api.Resources;
using Edge.Api.Errors;

namespace Edge.ApiServer.Requests;

/// <summary>
/// A request for a resource, parsed from its path as upstream's <c>RequestInfoFactory</c> does:
/// <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}</c> or the cluster-wide forms, and
/// <c>/apis/{group}/{version}/…</c>. <c>/api/v1/namespaces/{name}/status</c> is the namespace's own
/// subresource, not a resource called "status".
/// </summary>
public sealed record ResourceRequest(ResourceType Resource, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>Namespace subresources that upstream does not read as a resource inside the namespace.</summary>
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>
    /// Parses a path under /api or /apis. Returns null when the path is not a resource path at all
    /// (discovery documents are handled elsewhere); throws a 404 ApiException for an unknown resource.
    /// </summary>
    public static ResourceRequest? Parse(string path)
    {
        var parts = path.Trim('/').Split('/');
        int rest;
        string group, version;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            (group, version, rest) = ("", parts[1], 2);
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            (group, version, rest) = (parts[1], parts[2], 3);
        }
        else
        {
            return null;
        }

        var segments = parts.AsSpan(rest);
        if (segments.IsEmpty || segments.ToArray().Any(s => s.Length == 0))
        {
            throw ApiException.NotFound("the server could not find the requested resource");
        }

        string? ns = null;
        if (segments[0] == "namespaces" && segments.Length > 2 && !NamespaceSubresources.Contains(segments[2]))
        {
            ns = segments[1];
            segments = segments[2..];
        }

        if (segments.Length > 3)
        {
            throw ApiException.NotFound("the server could not find the requested resource");
        }

        var resource = ResourceCatalog.Find(group, version, segments[0])
            ?? throw ApiException.NotFound("the server could not find the requested resource");
        var name = segments.Length > 1 ? segments[1] : null;
        var subresource = segments.Length > 2 ? segments[2] : null;
        if (ns is not null && !resource.Namespaced)
        {
            throw ApiException.NotFound("the server could not find the requested resource");
        }

        if (subresource is not null && !resource.HasSubresource(subresource))
        {
            throw ApiException.NotFound("the server could not find the requested resource");
        }

        return new ResourceRequest(resource, ns, name, subresource);
    }
}
