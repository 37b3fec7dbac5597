namespace Edge.Agent.Runtime.Images;

/// <summary>
/// The pod sandbox image, packed on the device from the pause program the agent binary carries, so one
/// file (the agent) is all a device needs. containerd's CRI <c>sandbox_image</c> names <see cref="Reference"/>.
/// </summary>
public static class PauseImage
{
    public const string Reference = "edge.local/pause:3.10";

    /// <summary>The archive's name in the images dir.</summary>
    public const string FileName = "edge-pause.tar";

    /// <summary>The image of <paramref name="pauseProgram"/> for <paramref name="architecture"/> (<c>amd64</c>, <c>arm64</c>).</summary>
    public static OciImage Image(ReadOnlyMemory<byte> pauseProgram, string architecture) =>
        new(Reference, architecture, [new LayerFile("pause", pauseProgram, (UnixFileMode)0x1ED)])
        {
            Entrypoint = ["/pause"],
            Env = [],
        };

    /// <summary>
    /// Writes the archive into <paramref name="imagesDir"/> unless an identical one is there (the output is
    /// deterministic, so an unchanged agent rewrites nothing). Returns true when it wrote.
    /// </summary>
    public static bool Ensure(string imagesDir, ReadOnlyMemory<byte> pauseProgram, string architecture)
    {
        using var buffer = new MemoryStream();
        OciImageWriter.Write(Image(pauseProgram, architecture), buffer);
        var path = Path.Combine(imagesDir, FileName);
        if (File.Exists(path) && new FileInfo(path).Length == buffer.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            return false;
        }

        Directory.CreateDirectory(imagesDir);
        Edge.Native.AtomicFile.Write(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Edge.Native.AtomicFile.WorldReadable);
        return true;
    }
}
