using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Logs;

/// <summary>
/// One <c>pods/log</c> request (upstream's PodLogOptions), with the container resolved against
/// the Pod the way the API server does it before asking the node.
/// </summary>
public sealed record PodLogQuery(
    string Namespace,
    string Pod,
    string Uid,
    string Container,
    bool Follow = false,
    bool Previous = false,
    bool Timestamps = false,
    long? TailLines = null,
    long? SinceSeconds = null,
    DateTimeOffset? SinceTime = null,
    long? LimitBytes = null)
{
    public const string DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container";

    /// <summary>Reads and validates the query string; throws upstream's 400 or 422 for a bad one.</summary>
    public static PodLogQuery From(JsonObject pod, IQueryCollection query)
    {
        var name = pod.Name() ?? "";
        var errors = new List<FieldError>();
        var tailLines = Long(query, "tailLines", errors);
        var sinceSeconds = Long(query, "sinceSeconds", errors);
        var limitBytes = Long(query, "limitBytes", errors);
        DateTimeOffset? sinceTime = null;
        if (query["sinceTime"].ToString() is { Length: > 0 } since)
        {
            sinceTime = DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw ApiException.BadRequest($"sinceTime: Invalid value: \"{since}\": must be an RFC 3339 time");
        }

        if (tailLines < 0)
        {
            errors.Add(FieldError.InvalidValue("tailLines", tailLines, "must be greater than or equal to 0"));
        }

        if (limitBytes < 1)
        {
            errors.Add(FieldError.InvalidValue("limitBytes", limitBytes, "must be greater than 0"));
        }

        if (sinceSeconds is not null && sinceTime is not null)
        {
            errors.Add(FieldError.Forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
        }
        else if (sinceSeconds < 1)
        {
            errors.Add(FieldError.InvalidValue("sinceSeconds", sinceSeconds, "must be greater than 0"));
        }

        if (errors.Count > 0)
        {
            var summary = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
            throw new ApiException(Status.Failure(422, "Invalid", $"PodLogOptions \"{name}\" is invalid: {summary}"));
        }

        return new PodLogQuery(pod.Namespace() ?? "", name, pod.Uid() ?? "", ChooseContainer(pod, query["container"].ToString()),
            Bool(query, "follow"), Bool(query, "previous"), Bool(query, "timestamps"), tailLines, sinceSeconds, sinceTime, limitBytes);
    }

    /// <summary>
    /// The named container (any kind), else the only one, else the default-container annotation
    /// (upstream's kubectl applies it; the server does too, so plain HTTP clients get the same),
    /// else upstream's 400 listing the choices.
    /// </summary>
    public static string ChooseContainer(JsonObject pod, string requested)
    {
        var spec = pod["spec"];
        var containers = Names(spec, "containers");
        var name = pod.Name();
        if (requested.Length > 0)
        {
            return containers.Contains(requested) || Names(spec, "initContainers").Contains(requested) || Names(spec, "ephemeralContainers").Contains(requested)
                ? requested
                : throw ApiException.BadRequest($"container {requested} is not valid for pod {name}");
        }

        if (containers.Count == 1)
        {
            return containers[0];
        }

        if (ObjectFields.String(pod["metadata"]?["annotations"], DefaultContainerAnnotation) is { Length: > 0 } annotated && containers.Contains(annotated))
        {
            return annotated;
        }

        if (containers.Count == 0)
        {
            throw ApiException.BadRequest($"a container name must be specified for pod {name}");
        }

        var message = $"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', containers)}]";
        var init = Names(spec, "initContainers");
        throw ApiException.BadRequest(init.Count > 0 ? message + $" or one of the init containers: [{string.Join(' ', init)}]" : message);
    }

    private static List<string> Names(JsonNode? spec, string field) =>
        (spec?[field] as JsonArray ?? []).Select(c => ObjectFields.String(c, "name")).OfType<string>().ToList();

    private static bool Bool(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static long? Long(IQueryCollection query, string name, List<FieldError> errors)
    {
        if (query[name].ToString() is not { Length: > 0 } value)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors.Add(FieldError.InvalidValue(name, value, "must be an integer"));
        return null;
    }
}
