namespace Edge.Agent.Runtime.Images;

/// <summary>
/// Every image of the images dir, as the registry sees them: tags by (host, repository), blobs by digest.
/// Immutable; a rescan builds a new one. When two archives carry one tag, the archive whose file name
/// sorts last wins, so the answer does not depend on the order the directory lists them.
/// </summary>
public sealed class ImageCatalog
{
    private readonly Dictionary<(string? Host, string Repository, string Tag), ImageBlob> _tags = [];
    private readonly Dictionary<string, ImageBlob> _blobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _repositories = new(StringComparer.Ordinal);

    public static ImageCatalog Empty { get; } = new([]);

    public ImageCatalog(IEnumerable<ImageArchive> archives)
    {
        var images = new List<(ArchiveImage, string)>();
        foreach (var archive in archives.OrderBy(a => a.Source, StringComparer.Ordinal))
        {
            foreach (var (digest, blob) in archive.Blobs)
            {
                // A blob that is a manifest in one archive keeps its media type if another carries it bare.
                if (!_blobs.TryGetValue(digest, out var known) || known.MediaType is null)
                {
                    _blobs[digest] = blob;
                }
            }

            foreach (var image in archive.Images)
            {
                var r = image.Reference;
                _tags[(r.Host, r.Repository, r.Tag)] = archive.Blobs.TryGetValue(image.Digest, out var manifest)
                    ? manifest with { MediaType = image.MediaType }
                    : throw new ImageException($"{archive.File}: {r} points at {image.Digest}, which the archive lacks");
                _repositories.Add(r.Repository);
                images.Add((image, archive.Source));
            }
        }

        Images = images;
    }

    /// <summary>Every named image with the archive it came from, in file order.</summary>
    public IReadOnlyList<(ArchiveImage Image, string File)> Images { get; }

    public bool HasRepository(string repository) => _repositories.Contains(repository);

    /// <summary>
    /// The manifest or index for a tag or digest. A tag is looked up under the registry host the runtime
    /// names (<c>?ns=</c>) and then among images whose reference names no host, which answer for any
    /// registry; without a host, any image of that repository and tag matches.
    /// </summary>
    public ImageBlob? FindManifest(string? host, string repository, string reference)
    {
        if (!HasRepository(repository))
        {
            return null;
        }

        if (reference.StartsWith("sha256:", StringComparison.Ordinal))
        {
            return _blobs.TryGetValue(reference, out var blob) && blob.MediaType is not null ? blob : null;
        }

        if (_tags.TryGetValue((host, repository, reference), out var tagged) || _tags.TryGetValue((null, repository, reference), out tagged))
        {
            return tagged;
        }

        return host is null
            ? _tags.Where(t => t.Key.Repository == repository && t.Key.Tag == reference).Select(t => t.Value).FirstOrDefault()
            : null;
    }

    public ImageBlob? FindBlob(string digest) => _blobs.GetValueOrDefault(digest);
}
