namespace Edge.Agent.Runtime.Images;

/// <summary>
/// An image reference split the way a registry request is: host (null when the reference names none,
/// as <c>docker save</c>'s <c>busybox:latest</c>), repository and tag.
/// </summary>
public sealed record ImageReference(string? Host, string Repository, string Tag)
{
    /// <summary>
    /// Parses <c>[host/]repository[:tag]</c>. A first component is a host when it holds a '.' or ':' or is
    /// <c>localhost</c> (Docker's rule). A host-less one-component repository gets Docker's <c>library/</c>
    /// prefix, because that is the name a runtime asks for.
    /// </summary>
    public static bool TryParse(string text, out ImageReference reference)
    {
        reference = null!;
        var at = text.IndexOf('@');
        var rest = at >= 0 ? text[..at] : text;
        var slash = rest.IndexOf('/');
        string? host = null;
        if (slash > 0 && (rest[..slash].Contains('.') || rest[..slash].Contains(':') || rest[..slash] == "localhost"))
        {
            host = rest[..slash];
            rest = rest[(slash + 1)..];
        }

        var colon = rest.LastIndexOf(':');
        var tag = "latest";
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        if (rest.Length == 0 || tag.Length == 0 || !IsValidRepository(rest))
        {
            return false;
        }

        reference = new ImageReference(host, host is null && !rest.Contains('/') ? "library/" + rest : rest, tag);
        return true;
    }

    public override string ToString() => Host is null ? $"{Repository}:{Tag}" : $"{Host}/{Repository}:{Tag}";

    internal static bool IsValidRepository(string repository) =>
        repository.Split('/').All(part => part.Length > 0
            && part.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-')
            && char.IsAsciiLetterOrDigit(part[0]) && char.IsAsciiLetterOrDigit(part[^1]));
}
