using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Resources;

namespace Edge.Api.Selectors;

/// <summary>
/// The field labels each resource can be selected by, and how to read them from a stored object.
/// The sets are upstream's (each registry's <c>ToSelectableFields</c>/<c>GetAttrs</c> and the
/// field-label conversion functions): anything else is a 400, so clients learn early instead of
/// silently matching nothing.
/// </summary>
public static class SelectableFields
{
    delegate string Reader(JsonObject obj);

    static readonly Dictionary<string, Reader> Meta = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = o => Str(o, "metadata", "name"),
        ["metadata.namespace"] = o => Str(o, "metadata", "namespace"),
    };

    /// <summary>Nodes and namespaces accept only <c>metadata.name</c> of the metadata labels upstream.</summary>
    static readonly Dictionary<string, Reader> NameOnly = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = o => Str(o, "metadata", "name"),
    };

    static readonly Dictionary<(string Group, string Plural), Dictionary<string, Reader>> Specific = new()
    {
        [("", "pods")] = With(Meta, new()
        {
            ["spec.nodeName"] = o => Str(o, "spec", "nodeName"),
            // Pre-1.0 clients send spec.host; upstream converts it to spec.nodeName.
            ["spec.host"] = o => Str(o, "spec", "nodeName"),
            ["spec.restartPolicy"] = o => Str(o, "spec", "restartPolicy"),
            ["spec.schedulerName"] = o => Str(o, "spec", "schedulerName"),
            ["spec.serviceAccountName"] = o => Str(o, "spec", "serviceAccountName"),
            ["spec.hostNetwork"] = o => Bool(o, "spec", "hostNetwork"),
            ["status.phase"] = o => Str(o, "status", "phase"),
            // Upstream reads the first of status.podIPs (podIP mirrors it).
            ["status.podIP"] = o => o["status"]?["podIPs"] is JsonArray { Count: > 0 } ips
                ? Text(ips[0]?["ip"]) : Str(o, "status", "podIP"),
            // Accepted by upstream's label conversion but missing from its field set, so it is always "".
            ["status.podIPs"] = _ => "",
            ["status.nominatedNodeName"] = o => Str(o, "status", "nominatedNodeName"),
        }),
        [("", "events")] = With(Meta, new()
        {
            ["involvedObject.kind"] = o => Str(o, "involvedObject", "kind"),
            ["involvedObject.namespace"] = o => Str(o, "involvedObject", "namespace"),
            ["involvedObject.name"] = o => Str(o, "involvedObject", "name"),
            ["involvedObject.uid"] = o => Str(o, "involvedObject", "uid"),
            ["involvedObject.apiVersion"] = o => Str(o, "involvedObject", "apiVersion"),
            ["involvedObject.resourceVersion"] = o => Str(o, "involvedObject", "resourceVersion"),
            ["involvedObject.fieldPath"] = o => Str(o, "involvedObject", "fieldPath"),
            ["reason"] = o => Str(o, "reason"),
            ["reportingComponent"] = o => Str(o, "reportingComponent"),
            ["source"] = o => Str(o, "source", "component"),
            ["type"] = o => Str(o, "type"),
        }),
        // events.k8s.io/v1 labels map onto the core ones (regarding.* = involvedObject.*,
        // reportingController = reportingComponent); the object here is in events.k8s.io form.
        [("events.k8s.io", "events")] = With(Meta, new()
        {
            ["regarding.kind"] = o => Str(o, "regarding", "kind"),
            ["regarding.namespace"] = o => Str(o, "regarding", "namespace"),
            ["regarding.name"] = o => Str(o, "regarding", "name"),
            ["regarding.uid"] = o => Str(o, "regarding", "uid"),
            ["regarding.apiVersion"] = o => Str(o, "regarding", "apiVersion"),
            ["regarding.resourceVersion"] = o => Str(o, "regarding", "resourceVersion"),
            ["regarding.fieldPath"] = o => Str(o, "regarding", "fieldPath"),
            ["reason"] = o => Str(o, "reason"),
            ["reportingController"] = o => Str(o, "reportingController"),
            ["type"] = o => Str(o, "type"),
        }),
        [("", "secrets")] = With(Meta, new() { ["type"] = o => Str(o, "type") }),
        [("", "services")] = With(Meta, new()
        {
            ["spec.clusterIP"] = o => Str(o, "spec", "clusterIP"),
            ["spec.type"] = o => Str(o, "spec", "type"),
        }),
        [("", "nodes")] = With(NameOnly, new() { ["spec.unschedulable"] = o => Bool(o, "spec", "unschedulable") }),
        [("", "namespaces")] = With(NameOnly, new() { ["status.phase"] = o => Str(o, "status", "phase") }),
        [("apps", "replicasets")] = With(Meta, new() { ["status.replicas"] = o => Int(o, "status", "replicas") }),
        [("batch", "jobs")] = With(Meta, new() { ["status.successful"] = o => Int(o, "status", "succeeded") }),
    };

    /// <summary>The labels of <paramref name="resource"/>; resources without their own get metadata.name and metadata.namespace.</summary>
    static Dictionary<string, Reader> FieldsOf(ResourceType resource) =>
        Specific.GetValueOrDefault((resource.Group, resource.Plural)) ?? Meta;

    public static bool IsSupported(ResourceType resource, string field) => FieldsOf(resource).ContainsKey(field);

    /// <summary>The field's value as upstream's field set holds it (booleans and numbers as text), or null when unsupported.</summary>
    public static string? ValueOf(ResourceType resource, JsonObject obj, string field) =>
        FieldsOf(resource).TryGetValue(field, out var reader) ? reader(obj) : null;

    /// <summary>Throws <c>field label not supported: &lt;name&gt;</c> for the first unsupported label.</summary>
    public static void Validate(ResourceType resource, FieldSelector selector)
    {
        foreach (var requirement in selector.Requirements)
        {
            if (!IsSupported(resource, requirement.Field))
                throw new SelectorException($"field label not supported: {requirement.Field}");
        }
    }

    /// <summary>Whether <paramref name="obj"/> satisfies <paramref name="selector"/> for this resource.</summary>
    public static bool Matches(ResourceType resource, FieldSelector selector, JsonObject obj) =>
        selector.Matches(field => ValueOf(resource, obj, field));

    static Dictionary<string, Reader> With(Dictionary<string, Reader> common, Dictionary<string, Reader> own)
    {
        var all = new Dictionary<string, Reader>(common, StringComparer.Ordinal);
        foreach (var (field, reader) in own)
            all[field] = reader;
        return all;
    }

    static string Str(JsonObject obj, params string[] path)
    {
        JsonNode? node = obj;
        foreach (var step in path)
            node = node?[step];
        return Text(node);
    }

    static string Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : "";

    static string Bool(JsonObject obj, params string[] path)
    {
        JsonNode? node = obj;
        foreach (var step in path)
            node = node?[step];
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.True ? "true" : "false";
    }

    static string Int(JsonObject obj, params string[] path)
    {
        JsonNode? node = obj;
        foreach (var step in path)
            node = node?[step];
        return node is JsonValue v && v.TryGetValue<long>(out var n)
            ? n.ToString(CultureInfo.InvariantCulture)
            : node is JsonValue d && d.GetValueKind() == JsonValueKind.Number ? d.ToJsonString() : "0";
    }
}
