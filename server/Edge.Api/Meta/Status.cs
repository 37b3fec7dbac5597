using System.Text.Json.Serialization;

namespace Edge.Api.Meta;

/// <summary>meta/v1 Status: the body of every API error, so kubectl can print its message.</summary>
public sealed record Status
{
    [JsonPropertyOrder(-2)]
    public string Kind { get; init; } = "Status";

    [JsonPropertyOrder(-1)]
    public string ApiVersion { get; init; } = "v1";

    public ListMeta Metadata { get; init; } = new();

    /// <summary><c>Success</c> or <c>Failure</c> (the wire field <c>status</c>).</summary>
    [JsonPropertyName("status")]
    public string? Outcome { get; init; }

    public string? Message { get; init; }

    /// <summary>Machine-readable reason (<c>NotFound</c>, <c>Conflict</c>, …).</summary>
    public string? Reason { get; init; }

    public StatusDetails? Details { get; init; }

    public int Code { get; init; }

    /// <summary>A failure with the HTTP code and the upstream reason name.</summary>
    public static Status Failure(int code, string reason, string message) =>
        new() { Outcome = "Failure", Code = code, Reason = reason, Message = message };
}

/// <summary>meta/v1 StatusDetails: which object failed and, for 422, the field causes.</summary>
public sealed record StatusDetails
{
    public string? Name { get; init; }

    public string? Group { get; init; }

    /// <summary>The resource (plural) name, as upstream puts it here.</summary>
    public string? Kind { get; init; }

    public string? Uid { get; init; }

    public IReadOnlyList<StatusCause>? Causes { get; init; }

    public int? RetryAfterSeconds { get; init; }
}

/// <summary>meta/v1 StatusCause: one reason of a failure, with the field path it concerns.</summary>
public sealed record StatusCause(string? Reason, string? Message, string? Field);

/// <summary>meta/v1 ListMeta.</summary>
public sealed record ListMeta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ResourceVersion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Continue { get; init; }
}
