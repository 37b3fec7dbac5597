using System.Text.Json.Nodes;
using Edge.ApiServer.Resources;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Discovery;

/// <summary>
/// <c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/&lt;group&gt;[/&lt;version&gt;]</c>. The aggregated
/// form is served when the Accept header asks for it (v2 first, then v2beta1 for kubectl
/// 1.27–1.29); otherwise legacy JSON with a Content-Type of exactly <c>application/json</c>,
/// which kubectl 1.27 compares as a string.
/// </summary>
public static class DiscoveryEndpoint
{
    public static bool TryHandle(HttpContext context, out Task response)
    {
        response = Task.CompletedTask;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return false;
        }

        var parts = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        JsonObject? document = null;
        switch (parts)
        {
            case ["api"]:
                response = Aggregated(context, core: true) ?? Write(context, DiscoveryDocuments.ApiVersions());
                return true;
            case ["apis"]:
                response = Aggregated(context, core: false) ?? Write(context, DiscoveryDocuments.GroupList());
                return true;
            case ["api", var version]:
                document = DiscoveryDocuments.ResourceList("", version);
                break;
            case ["apis", var group]:
                document = DiscoveryDocuments.Group(group);
                break;
            case ["apis", var group, var version]:
                document = DiscoveryDocuments.ResourceList(group, version);
                break;
            default:
                return false;
        }

        if (document is null)
        {
            return false;
        }

        response = Write(context, document);
        return true;
    }

    private static Task? Aggregated(HttpContext context, bool core)
    {
        // Offer what the client ranks first among the forms we serve.
        foreach (var accept in context.Request.Headers.Accept.SelectMany(a => (a ?? "").Split(',')))
        {
            var media = accept.Replace(" ", "", StringComparison.Ordinal);
            if (!media.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) || !media.Contains("g=apidiscovery.k8s.io", StringComparison.Ordinal))
            {
                if (media.StartsWith("application/json", StringComparison.Ordinal) || media.StartsWith("*/*", StringComparison.Ordinal))
                {
                    return null;
                }

                continue;
            }

            var version = media.Contains("v=v2beta1", StringComparison.Ordinal) ? "v2beta1" : media.Contains("v=v2;", StringComparison.Ordinal) || media.EndsWith("v=v2", StringComparison.Ordinal) ? "v2" : null;
            if (version is null)
            {
                continue;
            }

            context.Response.Headers.Vary = "Accept";
            var document = DiscoveryDocuments.Aggregated(core, version);
            return WriteAs(context, document, $"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
        }

        return null;
    }

    private static Task Write(HttpContext context, JsonObject document) => WriteAs(context, document, "application/json");

    private static Task WriteAs(HttpContext context, JsonObject document, string contentType) =>
        ResourceEndpoint.WriteJsonAsync(context, document, StatusCodes.Status200OK, contentType);
}
