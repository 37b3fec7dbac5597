using Edge.Api.Selectors;
using Edge.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Requests;

/// <summary>The query parameters of a list or watch (meta/v1 ListOptions).</summary>
public sealed record ListOptions
{
    public LabelSelector Labels { get; init; } = LabelSelector.Parse(null);

    public FieldSelector Fields { get; init; } = FieldSelector.Parse(null);

    public bool Watch { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    /// <summary>"" = most recent; "0" = any; otherwise a revision.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary><c>Exact</c>, <c>NotOlderThan</c> or empty.</summary>
    public string? ResourceVersionMatch { get; init; }

    public long Limit { get; init; }

    public string? Continue { get; init; }

    public long? TimeoutSeconds { get; init; }

    public bool? SendInitialEvents { get; init; }

    /// <summary>A field selector on a field the resource cannot select by is a 400, as upstream.</summary>
    public void ValidateFields(Edge.Api.Resources.ResourceType resource)
    {
        try
        {
            SelectableFields.Validate(resource, Fields);
        }
        catch (SelectorException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    public static ListOptions From(IQueryCollection query)
    {
        try
        {
            return new ListOptions
            {
                Labels = LabelSelector.Parse(query["labelSelector"].ToString()),
                Fields = FieldSelector.Parse(query["fieldSelector"].ToString()),
                Watch = QueryValues.Bool(query, "watch"),
                AllowWatchBookmarks = QueryValues.Bool(query, "allowWatchBookmarks"),
                ResourceVersion = QueryValues.String(query, "resourceVersion"),
                ResourceVersionMatch = QueryValues.String(query, "resourceVersionMatch"),
                Limit = QueryValues.Long(query, "limit") ?? 0,
                Continue = QueryValues.String(query, "continue"),
                TimeoutSeconds = QueryValues.Long(query, "timeoutSeconds"),
                SendInitialEvents = query.ContainsKey("sendInitialEvents") ? QueryValues.Bool(query, "sendInitialEvents") : null,
            };
        }
        catch (SelectorException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }
}
