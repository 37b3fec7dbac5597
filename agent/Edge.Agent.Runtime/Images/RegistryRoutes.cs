namespace Edge.Agent.Runtime.Images;

/// <summary>
/// The read-only part of the OCI distribution API that containerd uses to pull:
/// <c>/v2/</c>, <c>/v2/&lt;name&gt;/manifests/&lt;tag|digest&gt;[?ns=&lt;registry host&gt;]</c> and
/// <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>, for GET and HEAD.
/// </summary>
internal static class RegistryRoutes
{
    /// <summary>Answers one request from the catalog; a miss asks <paramref name="catalogs"/> to rescan once.</summary>
    public static RegistryResponse Handle(string method, string target, ICatalogSource catalogs)
    {
        T? Find<T>(Func<ImageCatalog, T?> lookup) where T : class => lookup(catalogs.Current) ?? lookup(catalogs.RescanAfterMiss());

        if (method is not ("GET" or "HEAD"))
        {
            return RegistryResponse.Error(405, "UNSUPPORTED", "this registry is read-only", method);
        }

        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        var host = question < 0 ? null : QueryValue(target[(question + 1)..], "ns");
        if (path is "/v2" or "/v2/")
        {
            return RegistryResponse.Json(200, "{}");
        }

        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return RegistryResponse.Error(404, "NOT_FOUND", "not a registry path", path);
        }

        var (name, kind, reference) = Split(path["/v2/".Length..]);
        if (name is null || !ImageReference.IsValidRepository(name) || reference.Length == 0)
        {
            return RegistryResponse.Error(404, "NOT_FOUND", "not a registry path", path);
        }

        if (Find(catalog => catalog.HasRepository(name) ? name : null) is null)
        {
            return RegistryResponse.Error(404, "NAME_UNKNOWN", "repository name not known to registry", name);
        }

        if (kind == "manifests")
        {
            return Find(catalog => catalog.FindManifest(host, name, reference)) is { } manifest
                ? RegistryResponse.Manifest(manifest)
                : RegistryResponse.Error(404, "MANIFEST_UNKNOWN", "manifest unknown", $"{name}:{reference}");
        }

        return Find(catalog => catalog.FindBlob(reference)) is { } blob
            ? RegistryResponse.Blob(blob)
            : RegistryResponse.Error(404, "BLOB_UNKNOWN", "blob unknown to registry", reference);
    }

    /// <summary>Splits <c>a/b/manifests/ref</c> at the last <c>/manifests/</c> or <c>/blobs/</c> (a repository may hold either word).</summary>
    private static (string? Name, string Kind, string Reference) Split(string rest)
    {
        foreach (var kind in new[] { "manifests", "blobs" })
        {
            var at = rest.LastIndexOf("/" + kind + "/", StringComparison.Ordinal);
            if (at > 0)
            {
                var reference = Uri.UnescapeDataString(rest[(at + kind.Length + 2)..]);
                return reference.Contains('/') ? (null, kind, "") : (rest[..at], kind, reference);
            }
        }

        return (null, "", "");
    }

    private static string? QueryValue(string query, string key)
    {
        foreach (var pair in query.Split('&'))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0 && pair[..equals] == key)
            {
                return Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
        }

        return null;
    }
}

/// <summary>Where the routes read the catalog: the current one, and a fresh scan when a lookup missed.</summary>
internal interface ICatalogSource
{
    ImageCatalog Current { get; }

    /// <summary>Rescans the images dir (at most so often) and returns the catalog to look in again.</summary>
    ImageCatalog RescanAfterMiss();
}
