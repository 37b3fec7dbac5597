namespace Edge.Agent.Runtime.Images;

/// <summary>An image archive that cannot be read (not a tarball, truncated, not an image layout): one line that says why.</summary>
public sealed class ImageException(string message, Exception? inner = null) : Exception(message, inner);
