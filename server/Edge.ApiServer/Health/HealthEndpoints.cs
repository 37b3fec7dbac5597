using System.Text;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Health;

/// <summary>
/// <c>/healthz</c>, <c>/livez</c>, <c>/readyz</c> as Kubernetes serves them: <c>ok</c> or a list of
/// failed checks with 500, <c>?verbose</c> for every check, <c>?exclude=name</c> to skip one,
/// and <c>/readyz/&lt;name&gt;</c> for a single check.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Answers the request if its path is a health endpoint; returns false otherwise.</summary>
    public static bool TryHandle(HttpContext context, HealthChecks checks, out Task response)
    {
        response = Task.CompletedTask;
        var path = context.Request.Path.Value ?? "";
        var (endpoint, kind) = path switch
        {
            _ when Under(path, "/readyz") => ("readyz", HealthKind.Ready),
            _ when Under(path, "/livez") => ("livez", HealthKind.Live),
            _ when Under(path, "/healthz") => ("healthz", HealthKind.Ready),
            _ => (null, HealthKind.Live),
        };
        if (endpoint is null)
        {
            return false;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            return false;
        }

        var single = path.Length > endpoint.Length + 2 ? path[(endpoint.Length + 2)..] : null;
        var excluded = context.Request.Query["exclude"].Where(e => e is not null).Select(e => e!).ToHashSet();
        var results = checks.Run(kind).Where(r => !excluded.Contains(r.Name)).ToList();
        if (single is not null)
        {
            results = results.Where(r => r.Name == single).ToList();
            if (results.Count == 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                response = Write(context, $"{endpoint} check '{single}' does not exist\n");
                return true;
            }
        }

        var failed = results.Any(r => r.Failure is not null);
        var verbose = context.Request.Query.ContainsKey("verbose");
        context.Response.StatusCode = failed ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
        if (!failed && !verbose)
        {
            response = Write(context, "ok");
            return true;
        }

        var text = new StringBuilder();
        foreach (var (name, failure) in results)
        {
            if (failure is null)
            {
                text.Append("[+]").Append(name).Append(" ok\n");
            }
            else
            {
                text.Append("[-]").Append(name).Append(" failed: ").Append(verbose ? failure : "reason withheld").Append('\n');
            }
        }

        foreach (var name in excluded)
        {
            text.Append("[+]").Append(name).Append(" excluded: ok\n");
        }

        text.Append(endpoint).Append(failed ? " check failed\n" : " check passed\n");
        response = Write(context, text.ToString());
        return true;
    }

    private static bool Under(string path, string endpoint) =>
        path == endpoint || path.StartsWith(endpoint + "/", StringComparison.Ordinal);

    private static Task Write(HttpContext context, string body)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return context.Response.WriteAsync(body);
    }
}
