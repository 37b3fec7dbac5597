using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Requests;

/// <summary>How unknown or duplicate fields in a request body are treated (meta/v1 fieldValidation).</summary>
public enum FieldValidation
{
    Ignore,
    Warn,
    Strict,
}

/// <summary>The query parameters of create, update and patch (meta/v1 CreateOptions and friends).</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }

    public FieldValidation FieldValidation { get; init; } = FieldValidation.Warn;

    public string? FieldManager { get; init; }

    /// <summary>
    /// Admission by who is asking (node restriction, RBAC escalation): called with the stored
    /// object (null on create) and the object about to be written, after defaults and validation,
    /// before the write. It throws an <see cref="ApiException"/> to refuse.
    /// </summary>
    public Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? Admit { get; init; }

    public static WriteOptions From(IQueryCollection query)
    {
        var dryRun = query["dryRun"];
        foreach (var value in dryRun)
        {
            if (value != "All")
            {
                throw ApiException.BadRequest($"Invalid dry run value: \"{value}\": supported values: \"All\"");
            }
        }

        // Upstream's default is Warn when the parameter is absent.
        var validation = QueryValues.String(query, "fieldValidation") switch
        {
            null or "Warn" => FieldValidation.Warn,
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            var other => throw ApiException.BadRequest(
                $"fieldValidation: Unsupported value: \"{other}\": supported values: \"Ignore\", \"Warn\", \"Strict\""),
        };
        return new WriteOptions { DryRun = dryRun.Count > 0, FieldValidation = validation, FieldManager = QueryValues.String(query, "fieldManager") };
    }
}
