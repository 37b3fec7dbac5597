namespace Edge.Agent.Runtime.Images;

/// <summary>Where the mirror reads archives and keeps decompressed copies, and the port it listens on.</summary>
/// <param name="ImagesDir">Archives (<c>*.tar</c>, <c>*.tar.zst</c>); default <c>&lt;data dir&gt;/images</c>.</param>
/// <param name="CacheDir">Decompressed <c>.tar.zst</c> archives; default <c>&lt;data dir&gt;/cache/images</c>.</param>
public sealed record ImageMirrorOptions(string ImagesDir, string CacheDir)
{
    /// <summary>The loopback port; 0 (the default) lets the kernel choose, which <see cref="ImageMirror.Port"/> then tells.</summary>
    public int Port { get; init; }

    /// <summary>
    /// A lookup that misses rescans the dir at most this often, unless the dir is known to have changed
    /// (a pull of an image the mirror lacks is common; an unchanged dir costs a stat per archive).
    /// </summary>
    public TimeSpan RescanOnMissInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public static ImageMirrorOptions ForDataDir(string dataDir) =>
        new(Path.Combine(dataDir, "images"), Path.Combine(dataDir, "cache", "images"));
}
