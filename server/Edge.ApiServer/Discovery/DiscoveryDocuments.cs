using System.Text.Json.Nodes;
using Edge.Api.Resources;

namespace Edge.ApiServer.Discovery;

/// <summary>
/// The discovery documents kubectl reads before anything else, built from the resource catalog:
/// legacy (<c>APIVersions</c>, <c>APIGroupList</c>, <c>APIResourceList</c>) and aggregated
/// (<c>APIGroupDiscoveryList</c>, v2 and v2beta1, which differ only in apiVersion).
/// </summary>
public static class DiscoveryDocuments
{
    public static JsonObject ApiVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(),
    };

    public static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(Groups().Select(g => Group(g, withTypeMeta: false)).ToArray()),
    };

    /// <summary>The named group's APIGroup document, or null when not served.</summary>
    public static JsonObject? Group(string name) =>
        Groups().Contains(name) ? Group(name, withTypeMeta: true) : null;

    /// <summary>The APIResourceList of a group-version, or null when not served.</summary>
    public static JsonObject? ResourceList(string group, string version)
    {
        var resources = ResourceCatalog.Resources.Where(r => r.Group == group && r.Version == version).ToList();
        if (resources.Count == 0)
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var resource in resources)
        {
            list.Add((JsonNode)new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = Strings(resource.Verbs),
                ["shortNames"] = Strings(resource.ShortNames),
                ["categories"] = Strings(resource.Categories),
            });
            foreach (var sub in resource.Subresources)
            {
                var (subGroup, subVersion, subKind, verbs) = Subresource(resource, sub);
                var entry = new JsonObject
                {
                    ["name"] = $"{resource.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                    ["kind"] = subKind,
                    ["verbs"] = Strings(verbs),
                };
                if (subGroup != resource.Group || subVersion != resource.Version)
                {
                    entry["group"] = subGroup;
                    entry["version"] = subVersion;
                }

                list.Add((JsonNode)entry);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }

    /// <summary>Aggregated discovery of the core group (<c>/api</c>) or of every named group (<c>/apis</c>).</summary>
    public static JsonObject Aggregated(bool core, string discoveryVersion)
    {
        var items = new JsonArray();
        var groups = core ? [""] : Groups();
        foreach (var group in groups)
        {
            var versions = new JsonArray();
            foreach (var version in ResourceCatalog.GroupVersions.Where(gv => gv.Group == group).Select(gv => gv.Version))
            {
                var resources = new JsonArray();
                foreach (var resource in ResourceCatalog.Resources.Where(r => r.Group == group && r.Version == version))
                {
                    var subresources = new JsonArray();
                    foreach (var sub in resource.Subresources)
                    {
                        var (subGroup, subVersion, subKind, verbs) = Subresource(resource, sub);
                        subresources.Add((JsonNode)new JsonObject
                        {
                            ["subresource"] = sub,
                            ["responseKind"] = Gvk(subGroup, subVersion, subKind),
                            ["verbs"] = Strings(verbs),
                        });
                    }

                    var entry = new JsonObject
                    {
                        ["resource"] = resource.Plural,
                        ["responseKind"] = Gvk(resource.Group, resource.Version, resource.Kind),
                        ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = resource.Singular,
                        ["verbs"] = Strings(resource.Verbs),
                    };
                    if (resource.ShortNames.Count > 0)
                    {
                        entry["shortNames"] = Strings(resource.ShortNames);
                    }

                    if (resource.Categories.Count > 0)
                    {
                        entry["categories"] = Strings(resource.Categories);
                    }

                    if (subresources.Count > 0)
                    {
                        entry["subresources"] = subresources;
                    }

                    resources.Add((JsonNode)entry);
                }

                versions.Add((JsonNode)new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }

            var metadata = new JsonObject { ["creationTimestamp"] = null };
            if (group.Length > 0)
            {
                metadata["name"] = group;
            }

            items.Add((JsonNode)new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = $"apidiscovery.k8s.io/{discoveryVersion}",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static List<string> Groups() =>
        ResourceCatalog.GroupVersions.Select(gv => gv.Group).Where(g => g.Length > 0).Distinct().ToList();

    private static JsonObject Group(string name, bool withTypeMeta = false)
    {
        var versions = ResourceCatalog.GroupVersions.Where(gv => gv.Group == name)
            .Select(gv => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{gv.Version}", ["version"] = gv.Version })
            .ToArray();
        var group = new JsonObject();
        if (withTypeMeta)
        {
            group["kind"] = "APIGroup";
            group["apiVersion"] = "v1";
        }

        group["name"] = name;
        group["versions"] = new JsonArray(versions);
        group["preferredVersion"] = versions[0].DeepClone();
        return group;
    }

    /// <summary>The kind a subresource answers with and its verbs, as upstream registers them.</summary>
    private static (string Group, string Version, string Kind, string[] Verbs) Subresource(ResourceType resource, string name) => name switch
    {
        "status" => (resource.Group, resource.Version, resource.Kind, ["get", "patch", "update"]),
        "scale" => ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "binding" => ("", "v1", "Binding", ["create"]),
        "eviction" => ("policy", "v1", "Eviction", ["create"]),
        "token" => ("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        "log" => ("", "v1", "Pod", ["get"]),
        "finalize" => (resource.Group, resource.Version, resource.Kind, ["update"]),
        _ => (resource.Group, resource.Version, resource.Kind, ["get"]),
    };

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
