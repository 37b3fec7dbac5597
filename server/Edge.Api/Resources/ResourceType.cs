namespace Edge.Api.Resources;

/// <summary>
/// One served resource (a plural name under a group-version), as discovery, the registry, the
/// OpenAPI documents and the tables see it. The facts mirror upstream Kubernetes so that kubectl's
/// short names, categories and scopes behave as users know them.
/// </summary>
public sealed record ResourceType
{
    /// <summary>API group; empty for the legacy core group (<c>/api/v1</c>).</summary>
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    /// <summary>The plural resource name used in paths (<c>deployments</c>).</summary>
    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary><c>all</c> makes <c>kubectl get all</c> include the resource.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Subresources served (<c>status</c>, <c>scale</c>, <c>binding</c>, …).</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>Verbs of the main resource as discovery lists them.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = ResourceCatalog.AllVerbs;

    /// <summary>
    /// False for the review kinds (SelfSubjectAccessReview, …): the API answers them on POST and
    /// keeps nothing, so nothing lists, watches, stores or cleans them up.
    /// </summary>
    public bool Stored { get; init; } = true;

    /// <summary><c>apiVersion</c> of the objects: <c>v1</c> or <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The <c>resource.group</c> form (<c>deployments.apps</c>, <c>pods</c>) used in messages.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The key prefix of the objects in the store: <c>/registry/&lt;group-resource&gt;/</c>.</summary>
    public string StorePrefix => $"/registry/{GroupResource}/";

    public bool HasSubresource(string name) => Subresources.Contains(name, StringComparer.Ordinal);
}
