using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Images;

/// <summary>An image name an archive carries and the manifest (or index) it points at.</summary>
public sealed record ArchiveImage(ImageReference Reference, string Digest, string MediaType);

/// <summary>
/// What one uncompressed image tarball holds: its named images and every blob by digest, located inside
/// the file. Reads OCI image layouts (<c>index.json</c> with name annotations) and docker-archives
/// (<c>docker save</c>'s <c>manifest.json</c>, converted to an OCI manifest whose digests are computed here).
/// </summary>
public sealed partial record ImageArchive(string File, IReadOnlyList<ArchiveImage> Images, IReadOnlyDictionary<string, ImageBlob> Blobs)
{
    /// <summary>The file in the images dir this came from: <see cref="File"/>, or the <c>.tar.zst</c> it was decompressed from.</summary>
    public string Source { get; init; } = File;

    /// <summary>Manifests, indexes and configs are read whole to check them; nothing real comes close.</summary>
    private const long MaxMetadataBlob = 4 << 20;

    /// <summary>Reads and checks <paramref name="tarPath"/>; throws <see cref="ImageException"/> with one line that says what is wrong.</summary>
    public static ImageArchive Load(string tarPath)
    {
        IReadOnlyDictionary<string, TarMember> members;
        try
        {
            members = TarIndex.Read(tarPath);
        }
        catch (IOException e)
        {
            throw new ImageException($"cannot read {tarPath}: {e.Message}", e);
        }

        try
        {
            var archive = members.ContainsKey("index.json") && LoadOci(tarPath, members) is { Images.Count: > 0 } oci ? oci
                : members.ContainsKey("manifest.json") ? LoadDockerArchive(tarPath, members)
                : members.ContainsKey("index.json") ? throw new ImageException($"{tarPath}: index.json names no image (no {OciMediaTypes.ContainerdImageName} annotation)")
                : throw new ImageException($"{tarPath} is a tar archive but not an image (no index.json or manifest.json)");
            return archive.Images.Count > 0 ? archive : throw new ImageException($"{tarPath} carries no named image");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new ImageException($"{tarPath} holds malformed image metadata: {e.Message}", e);
        }
    }

    private static JsonNode ParseMember(string tarPath, IReadOnlyDictionary<string, TarMember> members, string name)
    {
        var member = members.TryGetValue(name, out var m) ? m : throw new ImageException($"{tarPath} lacks {name}");
        return JsonNode.Parse(ReadSmall(tarPath, member, name)) ?? throw new ImageException($"{tarPath}: {name} is JSON null");
    }

    private static byte[] ReadSmall(string tarPath, TarMember member, string what) =>
        member.Length <= MaxMetadataBlob
            ? ImageBlob.InFile("", member, tarPath).ReadAll()
            : throw new ImageException($"{tarPath}: {what} is {member.Length} bytes, too large for image metadata");

    private static string RequiredString(JsonNode? node, string property, string where) =>
        node?[property]?.GetValue<string>() ?? throw new ImageException($"{where} lacks \"{property}\"");
}
