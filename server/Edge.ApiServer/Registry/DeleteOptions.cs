using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Registry;

/// <summary>meta/v1 DeleteOptions from the body and the query (the query wins, as upstream).</summary>
public sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }

    /// <summary><c>Orphan</c>, <c>Background</c> or <c>Foreground</c>; recorded for the garbage collector.</summary>
    public string? PropagationPolicy { get; init; }

    public string? PreconditionUid { get; init; }

    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }

    private static readonly string[] Policies = ["Orphan", "Background", "Foreground"];

    public static DeleteOptions From(JsonObject? body, IQueryCollection query)
    {
        var grace = ObjectFields.Long(body, "gracePeriodSeconds");
        if (query.ContainsKey("gracePeriodSeconds"))
        {
            grace = long.TryParse(query["gracePeriodSeconds"].ToString(), out var g) ? g
                : throw ApiException.BadRequest("gracePeriodSeconds must be an integer");
        }

        var policy = query.ContainsKey("propagationPolicy") ? query["propagationPolicy"].ToString() : ObjectFields.String(body, "propagationPolicy");
        if (policy is null && body?["orphanDependents"] is JsonValue orphan && orphan.GetValueKind() == JsonValueKind.True)
        {
            policy = "Orphan";
        }

        if (policy is not null && !Policies.Contains(policy))
        {
            throw new ApiException(Api.Meta.Status.Failure(422, "Invalid",
                $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""));
        }

        var dryRun = query["dryRun"].Count > 0 || body?["dryRun"] is JsonArray { Count: > 0 };
        return new DeleteOptions
        {
            GracePeriodSeconds = grace,
            PropagationPolicy = policy,
            PreconditionUid = ObjectFields.String(body?["preconditions"], "uid"),
            PreconditionResourceVersion = ObjectFields.String(body?["preconditions"], "resourceVersion"),
            DryRun = dryRun,
        };
    }
}
