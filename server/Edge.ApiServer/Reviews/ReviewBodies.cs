using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Reviews;

/// <summary>Reading review specs and writing user info, tolerant of what JSON and protobuf clients send.</summary>
internal static class ReviewBodies
{
    public static string Str(JsonNode? node, string field) =>
        node is JsonObject obj && obj[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The subject a SubjectAccessReview asks about: exactly the user, groups and extra given (no implied groups).</summary>
    public static UserInfo SubjectOf(JsonObject spec)
    {
        var groups = spec["groups"] is JsonArray list ? StringsOf(list) : [];
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (spec["extra"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                // JSON sends a list; protobuf's ExtraValue message decodes as {"items": [...]}.
                var items = value is JsonObject wrapper ? wrapper["items"] : value;
                extra[key] = items is JsonArray values ? StringsOf(values) : [];
            }
        }

        return new UserInfo(Str(spec, "user"), Str(spec, "uid"), groups, extra);
    }

    /// <summary>authentication/v1 UserInfo of a user (uid and extra only when set, as Go's omitempty).</summary>
    public static JsonObject UserInfoJson(UserInfo user)
    {
        var info = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
        {
            info["uid"] = user.Uid;
        }

        info["groups"] = Strings(user.Groups);
        if (user.Extra.Count > 0)
        {
            info["extra"] = new JsonObject(user.Extra.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Strings(p.Value))));
        }

        return info;
    }

    private static List<string> StringsOf(JsonArray array) =>
        array.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList();
}
