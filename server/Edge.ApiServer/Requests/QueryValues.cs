using System.Globalization;
using Edge.Api.Errors;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Requests;

/// <summary>Typed query parameters; a malformed one is a 400, never an exception of another kind.</summary>
internal static class QueryValues
{
    public static string? String(IQueryCollection query, string name)
    {
        var value = query[name];
        return value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];
    }

    public static bool Bool(IQueryCollection query, string name) => String(query, name) switch
    {
        null => false,
        "true" or "1" or "True" => true,
        "false" or "0" or "False" => false,
        var other => throw ApiException.BadRequest($"invalid value for {name}: \"{other}\" is not a boolean"),
    };

    public static long? Long(IQueryCollection query, string name)
    {
        var text = String(query, name);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw ApiException.BadRequest($"invalid value for {name}: \"{text}\" is not a non-negative integer");
        }

        return value;
    }
}
