namespace Edge.Agent.Runtime.Images;

/// <summary>
/// Reads the images dir into a catalog. Remembers each file's size and modification time, so a rescan reads
/// only what changed (a docker-archive's layers are hashed once, a <c>.tar.zst</c> decompressed once) and a
/// file that cannot be read is reported once, not at every rescan.
/// </summary>
public sealed class ImageScanner(string imagesDir, string cacheDir)
{
    private readonly Dictionary<string, (long Length, DateTime Modified, ImageArchive? Archive, string? Problem)> _seen = new(StringComparer.Ordinal);

    public string ImagesDir { get; } = imagesDir;

    public string CacheDir { get; } = cacheDir;

    /// <summary>Archives in the dir, by file name.</summary>
    public static IEnumerable<string> ArchiveFiles(string imagesDir) =>
        Directory.Exists(imagesDir)
            ? Directory.EnumerateFiles(imagesDir)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && (f.EndsWith(".tar", StringComparison.Ordinal) || f.EndsWith(".tar.zst", StringComparison.Ordinal)))
                .Order(StringComparer.Ordinal)
            : [];

    /// <summary>Rescans; <paramref name="newProblems"/> gets the files that became unreadable since the last scan.</summary>
    public ImageCatalog Scan(List<string> newProblems)
    {
        var archives = new List<ImageArchive>();
        var cacheInUse = new HashSet<string>(StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in ArchiveFiles(ImagesDir))
        {
            present.Add(file);
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                continue;
            }

            if (!_seen.TryGetValue(file, out var seen) || seen.Length != info.Length || seen.Modified != info.LastWriteTimeUtc)
            {
                seen = Load(file, info);
                _seen[file] = seen;
                if (seen.Problem is not null)
                {
                    newProblems.Add(seen.Problem);
                }
            }

            if (seen.Archive is not null)
            {
                archives.Add(seen.Archive);
                if (seen.Archive.File != file)
                {
                    cacheInUse.Add(seen.Archive.File);
                }
            }
        }

        foreach (var gone in _seen.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _seen.Remove(gone);
        }

        ZstdCache.RemoveAllBut(CacheDir, cacheInUse);
        return new ImageCatalog(archives);
    }

    /// <summary>The files that could not be read at the last scan, each with why.</summary>
    public IReadOnlyList<string> Problems => _seen.Values.Where(s => s.Problem is not null).Select(s => s.Problem!).ToList();

    /// <summary>Reads one archive (decompressing a <c>.tar.zst</c> into the cache first).</summary>
    public static ImageArchive LoadArchive(string file, string cacheDir) =>
        ImageArchive.Load(ZstdCache.IsZstd(file) ? ZstdCache.Decompressed(file, cacheDir) : file) with { Source = file };

    private (long, DateTime, ImageArchive?, string?) Load(string file, FileInfo info)
    {
        try
        {
            return (info.Length, info.LastWriteTimeUtc, LoadArchive(file, CacheDir), null);
        }
        catch (ImageException e)
        {
            return (info.Length, info.LastWriteTimeUtc, null, e.Message);
        }
        catch (IOException e)
        {
            // Most often a file still being copied in: its next change event rescans it.
            return (info.Length, info.LastWriteTimeUtc, null, $"cannot read {file}: {e.Message}");
        }
    }
}
