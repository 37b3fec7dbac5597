namespace Edge.Agent.Runtime.Images;

/// <summary>One entry of an image layer, by its path inside the image (no leading slash).</summary>
public abstract record LayerEntry(string Path);

/// <summary>A regular file, owned by root.</summary>
public sealed record LayerFile(string Path, ReadOnlyMemory<byte> Content, UnixFileMode Mode) : LayerEntry(Path);

/// <summary>A directory, owned by root.</summary>
public sealed record LayerDirectory(string Path, UnixFileMode Mode) : LayerEntry(Path);

/// <summary>A symbolic link to <paramref name="Target"/> (relative or absolute, as in the image).</summary>
public sealed record LayerSymlink(string Path, string Target) : LayerEntry(Path);
