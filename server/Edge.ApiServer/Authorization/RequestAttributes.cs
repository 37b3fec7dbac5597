using Edge.Api.Selectors;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Requests;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Authorization;

/// <summary>Builds a request's authorization attributes as upstream's RequestInfoFactory does.</summary>
public static class RequestAttributes
{
    /// <summary>
    /// The verb of a resource request: get/list/watch by the query, create, update, patch, delete or
    /// deletecollection by the method. A list or watch narrowed to one name by
    /// <c>fieldSelector=metadata.name=X</c> carries that name, as upstream, so that resourceNames
    /// rules and the node authorizer see it.
    /// </summary>
    public static AuthorizationAttributes ForResource(UserInfo user, ResourceRequest request, HttpRequest http)
    {
        var method = http.Method;
        var name = request.Name ?? "";
        string verb;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            var watch = QueryValues.Bool(http.Query, "watch");
            verb = watch ? "watch" : name.Length > 0 ? "get" : "list";
            if (name.Length == 0 && FieldSelectorName(http.Query) is { } selected)
            {
                name = selected;
            }
        }
        else if (HttpMethods.IsPost(method))
        {
            verb = "create";
        }
        else if (HttpMethods.IsPut(method))
        {
            verb = "update";
        }
        else if (HttpMethods.IsPatch(method))
        {
            verb = "patch";
        }
        else if (HttpMethods.IsDelete(method))
        {
            verb = name.Length > 0 ? "delete" : "deletecollection";
        }
        else
        {
            verb = method.ToLowerInvariant();
        }

        // A namespace's own subresources (status, finalize) and the namespace object itself are
        // cluster-scoped requests whose name is the namespace.
        return new AuthorizationAttributes
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            ApiGroup = request.Resource.Group,
            ApiVersion = request.Resource.Version,
            Resource = request.Resource.Plural,
            Subresource = request.Subresource ?? "",
            Namespace = request.Resource.Plural == "namespaces" ? name : request.Namespace ?? "",
            Name = name,
            Path = http.Path.Value ?? "",
        };
    }

    /// <summary>A request outside /api and /apis resources: the lower-case HTTP verb and the path.</summary>
    public static AuthorizationAttributes ForPath(UserInfo user, HttpRequest http) => new()
    {
        User = user,
        Verb = http.Method.ToLowerInvariant(),
        Path = http.Path.Value ?? "",
    };

    private static string? FieldSelectorName(IQueryCollection query)
    {
        var text = query["fieldSelector"].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            var selector = FieldSelector.Parse(text);
            return selector.Requirements.Count == 1 && selector.TryGetExactValue("metadata.name", out var name) ? name : null;
        }
        catch (SelectorException)
        {
            return null;
        }
    }
}
