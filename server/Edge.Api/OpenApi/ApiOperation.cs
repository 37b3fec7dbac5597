using Edge.Api.Resources;

namespace Edge.Api.OpenApi;

/// <summary>
/// One HTTP operation of a served resource, independent of the OpenAPI version that renders it.
/// Every operation names its kind (<c>x-kubernetes-group-version-kind</c>): kubectl's field
/// validation and explain find a kind's schema through it.
/// </summary>
internal sealed record ApiOperation(
    string Path,
    string Method,
    string Action,
    string OperationId,
    string Description,
    (string Group, string Version, string Kind) Gvk,
    string? RequestDefinition,
    string? ResponseDefinition,
    IReadOnlyList<string> QueryParameters,
    IReadOnlyList<string> PathParameters)
{
    /// <summary>Upstream's tag: the group's first label and the version (<c>apps_v1</c>, <c>core_v1</c>).</summary>
    public string Tag => Path.StartsWith("/api/", StringComparison.Ordinal)
        ? "core_v1"
        : Path.Split('/')[2].Split('.')[0] + "_" + Path.Split('/')[3];
}

/// <summary>The operations of every resource in ResourceCatalog, following the upstream path layout.</summary>
internal static class ApiOperations
{
    const string Status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
    const string Scale = "io.k8s.api.autoscaling.v1.Scale";
    public const string Patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    static readonly string[] Read = ["pretty"];
    static readonly string[] Write = ["pretty", "dryRun", "fieldManager", "fieldValidation"];
    static readonly string[] PatchParameters = ["pretty", "dryRun", "fieldManager", "fieldValidation", "force"];
    static readonly string[] Delete = ["pretty", "dryRun", "gracePeriodSeconds", "propagationPolicy"];
    static readonly string[] List =
        ["pretty", "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "timeoutSeconds", "watch"];

    public static IEnumerable<ApiOperation> For(ResourceType resource, Schema.ApiSchema schema)
    {
        var gvk = (resource.Group, resource.Version, resource.Kind);
        var definition = schema.DefinitionNameOf(resource.Group, resource.Version, resource.Kind)!;
        var list = schema.DefinitionNameOf(resource.Group, resource.Version, resource.Kind + "List");
        var prefix = resource.Group.Length == 0 ? "/api/v1" : $"/apis/{resource.Group}/{resource.Version}";
        var scope = resource.Namespaced ? "/namespaces/{namespace}" : "";
        var collection = $"{prefix}{scope}/{resource.Plural}";
        var item = collection + "/{name}";
        var id = OperationIdPart(resource);
        var namespaced = resource.Namespaced ? "Namespaced" : "";
        string[] collectionParameters = resource.Namespaced ? ["namespace"] : [];
        string[] itemParameters = resource.Namespaced ? ["name", "namespace"] : ["name"];
        var verbs = resource.Verbs;

        if (verbs.Contains("list"))
        {
            yield return new(collection, "get", "list", $"list{id}{namespaced}{resource.Kind}", $"list or watch objects of kind {resource.Kind}", gvk, null, list, List, collectionParameters);
            if (resource.Namespaced)
            {
                yield return new($"{prefix}/{resource.Plural}", "get", "list", $"list{id}{resource.Kind}ForAllNamespaces", $"list or watch objects of kind {resource.Kind}", gvk, null, list, List, []);
            }
        }

        if (verbs.Contains("create"))
        {
            yield return new(collection, "post", "post", $"create{id}{namespaced}{resource.Kind}", $"create a {resource.Kind}", gvk, definition, definition, Write, collectionParameters);
        }

        if (verbs.Contains("deletecollection"))
        {
            yield return new(collection, "delete", "deletecollection", $"deletecollection{id}{namespaced}{resource.Kind}", $"delete collection of {resource.Kind}", gvk, null, Status, [.. Delete, .. List], collectionParameters);
        }

        if (!resource.Stored)
        {
            // Reviews are only POSTed: no item paths.
            yield break;
        }

        yield return new(item, "get", "get", $"read{id}{namespaced}{resource.Kind}", $"read the specified {resource.Kind}", gvk, null, definition, Read, itemParameters);
        yield return new(item, "put", "put", $"replace{id}{namespaced}{resource.Kind}", $"replace the specified {resource.Kind}", gvk, definition, definition, Write, itemParameters);
        yield return new(item, "patch", "patch", $"patch{id}{namespaced}{resource.Kind}", $"partially update the specified {resource.Kind}", gvk, Patch, definition, PatchParameters, itemParameters);
        yield return new(item, "delete", "delete", $"delete{id}{namespaced}{resource.Kind}", $"delete a {resource.Kind}", gvk, null, Status, Delete, itemParameters);

        foreach (var subresource in resource.Subresources)
        {
            var path = $"{item}/{subresource}";
            switch (subresource)
            {
                case "status":
                    yield return new(path, "get", "get", $"read{id}{namespaced}{resource.Kind}Status", $"read status of the specified {resource.Kind}", gvk, null, definition, Read, itemParameters);
                    yield return new(path, "put", "put", $"replace{id}{namespaced}{resource.Kind}Status", $"replace status of the specified {resource.Kind}", gvk, definition, definition, Write, itemParameters);
                    yield return new(path, "patch", "patch", $"patch{id}{namespaced}{resource.Kind}Status", $"partially update status of the specified {resource.Kind}", gvk, Patch, definition, PatchParameters, itemParameters);
                    break;
                case "scale":
                    var scale = ("autoscaling", "v1", "Scale");
                    yield return new(path, "get", "get", $"read{id}{namespaced}{resource.Kind}Scale", $"read scale of the specified {resource.Kind}", scale, null, Scale, Read, itemParameters);
                    yield return new(path, "put", "put", $"replace{id}{namespaced}{resource.Kind}Scale", $"replace scale of the specified {resource.Kind}", scale, Scale, Scale, Write, itemParameters);
                    yield return new(path, "patch", "patch", $"patch{id}{namespaced}{resource.Kind}Scale", $"partially update scale of the specified {resource.Kind}", scale, Patch, Scale, PatchParameters, itemParameters);
                    break;
                case "binding":
                    yield return new(path, "post", "post", $"create{id}{namespaced}{resource.Kind}Binding", $"create binding of a {resource.Kind}", ("", "v1", "Binding"), "io.k8s.api.core.v1.Binding", "io.k8s.api.core.v1.Binding", Write, itemParameters);
                    break;
                case "eviction":
                    yield return new(path, "post", "post", $"create{id}{namespaced}{resource.Kind}Eviction", $"create eviction of a {resource.Kind}", ("policy", "v1", "Eviction"), "io.k8s.api.policy.v1.Eviction", "io.k8s.api.policy.v1.Eviction", Write, itemParameters);
                    break;
                case "token":
                    yield return new(path, "post", "post", $"create{id}{namespaced}{resource.Kind}Token", $"create token of a {resource.Kind}", ("authentication.k8s.io", "v1", "TokenRequest"), "io.k8s.api.authentication.v1.TokenRequest", "io.k8s.api.authentication.v1.TokenRequest", Write, itemParameters);
                    break;
                case "finalize":
                    yield return new(path, "put", "put", $"replace{id}{namespaced}{resource.Kind}Finalize", $"replace finalize of the specified {resource.Kind}", gvk, definition, definition, Write, itemParameters);
                    break;
                case "log":
                    yield return new(path, "get", "get", $"read{id}{namespaced}{resource.Kind}Log", $"read log of the specified {resource.Kind}", gvk, null, null,
                        ["container", "follow", "limitBytes", "pretty", "previous", "sinceSeconds", "tailLines", "timestamps"], itemParameters);
                    break;
            }
        }
    }

    /// <summary>The group-version part of upstream operation ids: <c>CoreV1</c>, <c>AppsV1</c>, <c>DiscoveryV1</c>.</summary>
    static string OperationIdPart(ResourceType resource)
    {
        var group = resource.Group.Length == 0 ? "core" : resource.Group.Split('.')[0];
        return char.ToUpperInvariant(group[0]) + group[1..] + char.ToUpperInvariant(resource.Version[0]) + resource.Version[1..];
    }

    /// <summary>Query parameters as upstream types them; everything else is a string.</summary>
    public static (string Type, string Description) QueryParameter(string name) => name switch
    {
        "allowWatchBookmarks" or "watch" or "follow" or "previous" or "timestamps" or "force" =>
            ("boolean", name == "force"
                ? "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."
                : name),
        "limit" or "timeoutSeconds" or "gracePeriodSeconds" or "limitBytes" or "sinceSeconds" or "tailLines" => ("integer", name),
        "fieldValidation" => ("string",
            "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"),
        "dryRun" => ("string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
        "fieldManager" => ("string", "fieldManager is a name associated with the actor or entity that is making these changes."),
        _ => ("string", name),
    };

    /// <summary>Media types a PATCH accepts; kubectl picks strategic merge only when it is listed.</summary>
    public static readonly IReadOnlyList<string> PatchTypes =
    [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ];
}
