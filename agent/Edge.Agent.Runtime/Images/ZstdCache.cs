using System.Globalization;
using Edge.Native;
using ZstdSharp;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// <c>.tar.zst</c> archives are decompressed once into a cache dir, because blobs are served as byte ranges of
/// an uncompressed tarball. The cache file's name carries the source's size and modification time, so a
/// replaced source gets a new cache file and the old one is removed by <see cref="RemoveAllBut"/>.
/// </summary>
public static class ZstdCache
{
    public static bool IsZstd(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual(new byte[] { 0x28, 0xB5, 0x2F, 0xFD });
    }

    /// <summary>The uncompressed tarball of <paramref name="zstPath"/>, decompressed now unless the cache has it.</summary>
    public static string Decompressed(string zstPath, string cacheDir)
    {
        var target = CachePath(zstPath, cacheDir);
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(cacheDir);
            Decompress(zstPath, target);
        }

        return target;
    }

    /// <summary>Where the decompressed copy of <paramref name="zstPath"/>, as it is now, lives in the cache.</summary>
    public static string CachePath(string zstPath, string cacheDir)
    {
        var info = new FileInfo(zstPath);
        var stem = info.Name.EndsWith(".zst", StringComparison.Ordinal) ? info.Name[..^4] : info.Name;
        stem = stem.EndsWith(".tar", StringComparison.Ordinal) ? stem[..^4] : stem;
        var key = string.Create(CultureInfo.InvariantCulture, $"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}");
        return Path.Combine(cacheDir, $"{stem}.{key}.tar");
    }

    /// <summary>Decompresses into <paramref name="tarPath"/> atomically: a damaged source leaves nothing behind.</summary>
    public static void Decompress(string zstPath, string tarPath)
    {
        try
        {
            AtomicFile.Write(tarPath, output =>
            {
                using var input = new FileStream(zstPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                using var zstd = new DecompressionStream(input);
                zstd.CopyTo(output);
            }, AtomicFile.WorldReadable);
        }
        catch (Exception e) when (e is ZstdException or EndOfStreamException or InvalidDataException)
        {
            throw new ImageException($"{zstPath} is not a complete zstd stream: {e.Message}", e);
        }
    }

    /// <summary>Deletes cache entries no current archive uses.</summary>
    public static void RemoveAllBut(string cacheDir, IReadOnlySet<string> inUse)
    {
        if (!Directory.Exists(cacheDir))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(cacheDir, "*.tar"))
        {
            // Dot-files are work in progress (an import checking its archive), not cache entries.
            if (!inUse.Contains(file) && !Path.GetFileName(file).StartsWith('.'))
            {
                File.Delete(file);
            }
        }
    }
}
