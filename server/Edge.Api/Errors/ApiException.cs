using Edge.Api.Meta;
using Edge.Api.Resources;

namespace Edge.Api.Errors;

/// <summary>
/// A request failure that becomes a meta/v1 Status with the upstream code, reason and wording,
/// so kubectl prints the message users know (<c>Error from server (NotFound): pods "x" not found</c>).
/// </summary>
public sealed class ApiException(Status status) : Exception(status.Message)
{
    public Status Status { get; } = status;

    public static ApiException BadRequest(string message) => new(Status.Failure(400, "BadRequest", message));

    public static ApiException NotFound(ResourceType resource, string name) => new(Status.Failure(
        404, "NotFound", $"{resource.GroupResource} \"{name}\" not found") with { Details = Details(resource, name) });

    public static ApiException NotFound(string message) => new(Status.Failure(404, "NotFound", message));

    public static ApiException AlreadyExists(ResourceType resource, string name) => new(Status.Failure(
        409, "AlreadyExists", $"{resource.GroupResource} \"{name}\" already exists") with { Details = Details(resource, name) });

    /// <summary>The optimistic-concurrency failure kubectl retries on.</summary>
    public static ApiException Conflict(ResourceType resource, string name, string why) => new(Status.Failure(
        409, "Conflict", $"Operation cannot be fulfilled on {resource.GroupResource} \"{name}\": {why}") with { Details = Details(resource, name) });

    public static ApiException Forbidden(ResourceType resource, string name, string why) => new(Status.Failure(
        403, "Forbidden", $"{resource.GroupResource} \"{name}\" is forbidden: {why}") with { Details = Details(resource, name) });

    /// <summary>422 with one cause per invalid field, worded as upstream's field errors.</summary>
    public static ApiException Invalid(ResourceType resource, string name, IReadOnlyList<FieldError> errors)
    {
        var summary = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
        return new(Status.Failure(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {summary}") with
        {
            Details = Details(resource, name) with
            {
                Kind = resource.Kind,
                Causes = errors.Select(e => new StatusCause(e.Reason, e.Detail, e.Field)).ToList(),
            },
        });
    }

    public static ApiException MethodNotSupported(ResourceType resource, string verb) => new(Status.Failure(
        405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{resource.GroupResource}\"") with
    {
        Details = new StatusDetails { Group = resource.Group, Kind = resource.Plural },
    });

    public static ApiException Gone(string message) => new(Status.Failure(410, "Expired", message));

    public static ApiException TooLarge(string message) => new(Status.Failure(413, "RequestEntityTooLarge", message));

    public static ApiException UnsupportedMediaType(string contentType) => new(Status.Failure(
        415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got \"{contentType}\")"));

    public static ApiException Internal(string message) => new(Status.Failure(500, "InternalError", $"Internal error occurred: {message}"));

    public static ApiException Unavailable(string message) => new(Status.Failure(503, "ServiceUnavailable", message));

    private static StatusDetails Details(ResourceType resource, string name) =>
        new() { Name = name, Group = resource.Group, Kind = resource.Plural };
}
