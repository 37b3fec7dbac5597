using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Images;

public sealed partial record ImageArchive
{
    private static ImageArchive LoadOci(string tarPath, IReadOnlyDictionary<string, TarMember> members)
    {
        var blobs = new Dictionary<string, ImageBlob>(StringComparer.Ordinal);
        foreach (var (name, member) in members)
        {
            if (name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && name.Length == "blobs/sha256/".Length + 64)
            {
                var digest = "sha256:" + name["blobs/sha256/".Length..];
                blobs[digest] = ImageBlob.InFile(digest, member, tarPath);
            }
        }

        var index = ParseMember(tarPath, members, "index.json");
        var images = new List<ArchiveImage>();
        foreach (var descriptor in index["manifests"]?.AsArray() ?? throw new ImageException($"{tarPath}: index.json lacks \"manifests\""))
        {
            var (digest, mediaType) = CheckDescriptor(tarPath, blobs, descriptor, required: true);
            var annotations = descriptor!["annotations"];
            var name = annotations?[OciMediaTypes.ContainerdImageName]?.GetValue<string>();
            // Some tools put the whole reference in ref.name; a bare tag (no ':' or '/') names no repository.
            var refName = annotations?[OciMediaTypes.RefName]?.GetValue<string>();
            name ??= refName is not null && refName.IndexOfAny([':', '/']) >= 0 ? refName : null;
            if (name is not null)
            {
                images.Add(new ArchiveImage(
                    ImageReference.TryParse(name, out var reference) ? reference : throw new ImageException($"{tarPath}: '{name}' is not an image reference"),
                    digest,
                    mediaType));
            }
        }

        return new ImageArchive(tarPath, images, blobs);
    }

    /// <summary>
    /// Checks that a descriptor's blob is present with its size and digest, records its media type, and
    /// walks what it points at. Manifests an index lists may be absent (an export of one platform of a
    /// multi-platform image); the layers and config of a present manifest may not.
    /// </summary>
    private static (string Digest, string MediaType) CheckDescriptor(string tarPath, Dictionary<string, ImageBlob> blobs, JsonNode? descriptor, bool required)
    {
        var digest = RequiredString(descriptor, "digest", $"{tarPath}: a descriptor");
        var mediaType = RequiredString(descriptor, "mediaType", $"{tarPath}: descriptor {digest}");
        var size = descriptor!["size"]?.GetValue<long>() ?? throw new ImageException($"{tarPath}: descriptor {digest} lacks \"size\"");
        if (!blobs.TryGetValue(digest, out var blob))
        {
            return required || !OciMediaTypes.IsManifest(mediaType)
                ? throw new ImageException($"{tarPath} lacks blob {digest} ({mediaType})")
                : (digest, mediaType);
        }

        if (blob.Length != size)
        {
            throw new ImageException($"{tarPath}: blob {digest} is {blob.Length} bytes, its descriptor says {size}");
        }

        if (!OciMediaTypes.IsManifest(mediaType) && !mediaType.EndsWith("+json", StringComparison.Ordinal))
        {
            // Layers are large: containerd checks their digests as it pulls them.
            return (digest, mediaType);
        }

        var content = ReadSmall(tarPath, new TarMember(digest, blob.Offset, blob.Length), digest);
        if (OciImageWriter.Digest(content) != digest)
        {
            throw new ImageException($"{tarPath}: blob {digest} does not match its digest");
        }

        if (OciMediaTypes.IsManifest(mediaType))
        {
            blobs[digest] = blob with { MediaType = mediaType };
            var manifest = JsonNode.Parse(content);
            if (OciMediaTypes.IsIndex(mediaType))
            {
                foreach (var child in manifest?["manifests"]?.AsArray() ?? [])
                {
                    CheckDescriptor(tarPath, blobs, child, required: false);
                }
            }
            else
            {
                CheckDescriptor(tarPath, blobs, manifest?["config"], required: true);
                foreach (var layer in manifest?["layers"]?.AsArray() ?? [])
                {
                    CheckDescriptor(tarPath, blobs, layer, required: true);
                }
            }
        }

        return (digest, mediaType);
    }
}
