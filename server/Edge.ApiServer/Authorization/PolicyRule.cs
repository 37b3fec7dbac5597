using System.Text.Json.Nodes;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// rbac/v1 PolicyRule, and upstream's <c>RuleAllows</c> (pkg/apis/rbac/v1/evaluation_helpers.go):
/// <c>*</c> matches every verb, group, resource or URL; <c>pods/status</c> names a subresource and
/// <c>*/status</c> that subresource of every resource; resourceNames narrow to named objects;
/// a non-resource URL ending in <c>*</c> matches by prefix.
/// </summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls)
{
    public const string All = "*";

    public static PolicyRule Resource(IReadOnlyList<string> verbs, IReadOnlyList<string> groups, IReadOnlyList<string> resources, IReadOnlyList<string>? names = null) =>
        new(verbs, groups, resources, names ?? [], []);

    public static PolicyRule Urls(IReadOnlyList<string> verbs, IReadOnlyList<string> urls) => new(verbs, [], [], [], urls);

    public static PolicyRule FromJson(JsonObject rule) => new(
        Strings(rule, "verbs"), Strings(rule, "apiGroups"), Strings(rule, "resources"), Strings(rule, "resourceNames"), Strings(rule, "nonResourceURLs"));

    public static IReadOnlyList<PolicyRule> ListFrom(JsonObject obj) =>
        obj["rules"] is JsonArray rules ? rules.OfType<JsonObject>().Select(FromJson).ToList() : [];

    /// <summary>The rule as rbac/v1 JSON (empty lists left out, as Go's omitempty).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        Add(json, "verbs", Verbs);
        Add(json, "apiGroups", ApiGroups);
        Add(json, "resources", Resources);
        Add(json, "resourceNames", ResourceNames);
        Add(json, "nonResourceURLs", NonResourceUrls);
        return json;
    }

    public bool Allows(AuthorizationAttributes request)
    {
        if (!Verbs.Any(v => v == All || v == request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return NonResourceUrls.Any(url => url == All || url == request.Path ||
                (url.EndsWith('*') && request.Path.StartsWith(url.TrimEnd('*'), StringComparison.Ordinal)));
        }

        var combined = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        return ApiGroups.Any(g => g == All || g == request.ApiGroup) &&
            Resources.Any(r => r == All || r == combined ||
                (request.Subresource.Length > 0 && r.Length == request.Subresource.Length + 2 && r.StartsWith("*/", StringComparison.Ordinal) && r.EndsWith(request.Subresource, StringComparison.Ordinal))) &&
            (ResourceNames.Count == 0 || ResourceNames.Contains(request.Name));
    }

    /// <summary>upstream <c>CompactString</c>: <c>{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}</c>.</summary>
    public string CompactString()
    {
        var parts = new List<string>();
        AddPart(parts, "APIGroups", ApiGroups);
        AddPart(parts, "Resources", Resources);
        AddPart(parts, "NonResourceURLs", NonResourceUrls);
        AddPart(parts, "ResourceNames", ResourceNames);
        AddPart(parts, "Verbs", Verbs);
        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Go's <c>%q</c> of a <c>[]string</c>: <c>["a" "b"]</c>.</summary>
    public static string GoQuoted(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(v => $"\"{v}\"")) + "]";

    private static void AddPart(List<string> parts, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            parts.Add($"{name}:{GoQuoted(values)}");
        }
    }

    private static void Add(JsonObject json, string field, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            json[field] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }
    }

    private static IReadOnlyList<string> Strings(JsonObject obj, string field) =>
        obj[field] is JsonArray array
            ? array.OfType<JsonValue>().Where(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String).Select(v => v.GetValue<string>()).ToList()
            : [];

    public bool Equals(PolicyRule? other) =>
        other is not null && Verbs.SequenceEqual(other.Verbs) && ApiGroups.SequenceEqual(other.ApiGroups) &&
        Resources.SequenceEqual(other.Resources) && ResourceNames.SequenceEqual(other.ResourceNames) &&
        NonResourceUrls.SequenceEqual(other.NonResourceUrls);

    public override int GetHashCode() => HashCode.Combine(Verbs.Count, ApiGroups.Count, Resources.Count, Verbs.FirstOrDefault(), Resources.FirstOrDefault());
}
