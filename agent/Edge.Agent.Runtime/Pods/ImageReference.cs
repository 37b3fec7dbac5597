namespace Edge.Agent.Runtime.Pods;

/// <summary>Facts about an image reference string, as the container runtime and kubelet read it.</summary>
public static class ImageReference
{
    /// <summary>True for <c>busybox</c>, <c>busybox:latest</c>, <c>host:5000/busybox</c> — not for a digest or another tag.</summary>
    public static bool HasLatestOrNoTag(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        var lastSlash = image.LastIndexOf('/');
        var lastColon = image.LastIndexOf(':');
        if (lastColon <= lastSlash)
        {
            return true; // No tag (a colon before the last slash is a registry port).
        }

        return image[(lastColon + 1)..] == "latest";
    }
}
