using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Images;

public sealed partial record ImageArchive
{
    /// <summary>
    /// <c>docker save</c>: <c>manifest.json</c> lists, per image, its config file, its layer files in order and
    /// its <c>RepoTags</c>. The config is served as is; the manifest is made here from their digests.
    /// </summary>
    private static ImageArchive LoadDockerArchive(string tarPath, IReadOnlyDictionary<string, TarMember> members)
    {
        var blobs = new Dictionary<string, ImageBlob>(StringComparer.Ordinal);
        var images = new List<ArchiveImage>();
        var manifestList = ParseMember(tarPath, members, "manifest.json").AsArray();
        foreach (var entry in manifestList)
        {
            var configName = RequiredString(entry, "Config", $"{tarPath}: manifest.json entry");
            var configMember = Member(tarPath, members, configName);
            var configDigest = OciImageWriter.Digest(ReadSmall(tarPath, configMember, configName));
            blobs[configDigest] = ImageBlob.InFile(configDigest, configMember, tarPath);

            var layers = new List<ImageBlob>();
            foreach (var layerName in entry!["Layers"]?.AsArray() ?? throw new ImageException($"{tarPath}: manifest.json entry lacks \"Layers\""))
            {
                var member = Member(tarPath, members, layerName!.GetValue<string>());
                var digest = ImageBlob.HashRange(tarPath, member.Offset, member.Length);
                var layer = ImageBlob.InFile(digest, member, tarPath, LayerMediaType(tarPath, member));
                blobs[digest] = layer;
                layers.Add(layer);
            }

            var manifest = ImageBlob.InMemory(OciImageWriter.Json(w =>
            {
                w.WriteNumber("schemaVersion", 2);
                w.WriteString("mediaType", OciMediaTypes.ImageManifest);
                w.WritePropertyName("config");
                WriteDescriptor(w, OciMediaTypes.ImageConfig, configDigest, configMember.Length);
                w.WriteStartArray("layers");
                foreach (var layer in layers)
                {
                    WriteDescriptor(w, layer.MediaType!, layer.Digest, layer.Length);
                }

                w.WriteEndArray();
            }), OciMediaTypes.ImageManifest);
            // The layer's media type only served to build the manifest: layers are served without one.
            foreach (var layer in layers)
            {
                blobs[layer.Digest] = layer with { MediaType = null };
            }

            blobs[manifest.Digest] = manifest;
            foreach (var tag in entry["RepoTags"]?.AsArray() ?? [])
            {
                var text = tag!.GetValue<string>();
                images.Add(new ArchiveImage(
                    ImageReference.TryParse(text, out var reference) ? reference : throw new ImageException($"{tarPath}: '{text}' is not an image reference"),
                    manifest.Digest,
                    OciMediaTypes.ImageManifest));
            }
        }

        return new ImageArchive(tarPath, images, blobs);
    }

    private static TarMember Member(string tarPath, IReadOnlyDictionary<string, TarMember> members, string name) =>
        members.TryGetValue(name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name, out var member)
            ? member
            : throw new ImageException($"{tarPath} lacks {name}, which manifest.json names");

    /// <summary><c>docker save</c> writes uncompressed layers; newer tools may store them compressed. The magic decides.</summary>
    private static string LayerMediaType(string tarPath, TarMember member)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = new FileStream(tarPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        file.Position = member.Offset;
        var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        return read >= 2 && magic[0] == 0x1F && magic[1] == 0x8B ? OciMediaTypes.LayerGzip
            : read == 4 && magic.SequenceEqual(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }) ? OciMediaTypes.LayerZstd
            : OciMediaTypes.Layer;
    }

    private static void WriteDescriptor(Utf8JsonWriter w, string mediaType, string digest, long size)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest);
        w.WriteNumber("size", size);
        w.WriteEndObject();
    }
}
