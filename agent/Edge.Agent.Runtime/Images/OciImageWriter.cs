using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// Writes an image as an OCI image-layout tarball (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>)
/// with one uncompressed layer. Every timestamp is the epoch and every owner root, so the same image
/// gives the same bytes and digests on every run and machine.
/// </summary>
public static class OciImageWriter
{
    private static readonly DateTimeOffset FixedTime = DateTimeOffset.UnixEpoch;

    /// <summary>Writes the tarball; returns the manifest's digest.</summary>
    public static string Write(OciImage image, Stream output)
    {
        if (!ImageReference.TryParse(image.Reference, out var reference) || reference.Host is null)
        {
            throw new ArgumentException($"'{image.Reference}' is not a full image reference (host/repository:tag)", nameof(image));
        }

        var layer = LayerTar(image.Layer);
        var layerDigest = Digest(layer);
        var config = Json(w =>
        {
            w.WriteString("architecture", image.Architecture);
            w.WriteString("os", image.Os);
            w.WriteStartObject("config");
            WriteStrings(w, "Env", image.Env);
            if (image.Entrypoint.Count > 0)
            {
                WriteStrings(w, "Entrypoint", image.Entrypoint);
            }

            if (image.Cmd.Count > 0)
            {
                WriteStrings(w, "Cmd", image.Cmd);
            }

            w.WriteString("WorkingDir", image.WorkingDir);
            w.WriteEndObject();
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            WriteStrings(w, "diff_ids", [layerDigest]);
            w.WriteEndObject();
        });
        var manifest = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.ImageManifest);
            w.WritePropertyName("config");
            WriteDescriptor(w, OciMediaTypes.ImageConfig, config);
            w.WriteStartArray("layers");
            WriteDescriptor(w, OciMediaTypes.Layer, layer);
            w.WriteEndArray();
        });
        var manifestDigest = Digest(manifest);
        var index = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciMediaTypes.ImageIndex);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", OciMediaTypes.ImageManifest);
            w.WriteString("digest", manifestDigest);
            w.WriteNumber("size", manifest.Length);
            w.WriteStartObject("annotations");
            w.WriteString(OciMediaTypes.ContainerdImageName, reference.ToString());
            w.WriteString(OciMediaTypes.RefName, reference.Tag);
            w.WriteEndObject();
            w.WriteStartObject("platform");
            w.WriteString("architecture", image.Architecture);
            w.WriteString("os", image.Os);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });

        using var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        WriteFile(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        WriteFile(tar, "index.json", index);
        WriteDirectory(tar, "blobs/");
        WriteDirectory(tar, "blobs/sha256/");
        foreach (var blob in new[] { layer, config, manifest })
        {
            WriteFile(tar, "blobs/sha256/" + Digest(blob)["sha256:".Length..], blob);
        }

        return manifestDigest;
    }

    /// <summary>The layer's bytes: an uncompressed tar of the entries.</summary>
    internal static byte[] LayerTar(IReadOnlyList<LayerEntry> entries)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                var path = entry.Path.TrimStart('/');
                UstarTarEntry tarEntry = entry switch
                {
                    LayerFile file => new UstarTarEntry(TarEntryType.RegularFile, path)
                    {
                        Mode = file.Mode,
                        DataStream = new MemoryStream(file.Content.ToArray()),
                    },
                    LayerDirectory directory => new UstarTarEntry(TarEntryType.Directory, path.TrimEnd('/') + "/") { Mode = directory.Mode },
                    LayerSymlink link => new UstarTarEntry(TarEntryType.SymbolicLink, path)
                    {
                        LinkName = link.Target,
                        Mode = (UnixFileMode)0x1FF,
                    },
                    _ => throw new ArgumentException($"unknown layer entry {entry.GetType().Name}", nameof(entries)),
                };
                tar.WriteEntry(Fixed(tarEntry));
            }
        }

        return buffer.ToArray();
    }

    internal static string Digest(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static UstarTarEntry Fixed(UstarTarEntry entry)
    {
        entry.ModificationTime = FixedTime;
        entry.Uid = 0;
        entry.Gid = 0;
        entry.UserName = "root";
        entry.GroupName = "root";
        return entry;
    }

    private static void WriteFile(TarWriter tar, string name, byte[] content) =>
        tar.WriteEntry(Fixed(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            DataStream = new MemoryStream(content),
        }));

    private static void WriteDirectory(TarWriter tar, string name) =>
        tar.WriteEntry(Fixed(new UstarTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED }));

    private static void WriteDescriptor(Utf8JsonWriter w, string mediaType, byte[] blob)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", Digest(blob));
        w.WriteNumber("size", blob.Length);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    /// <summary>One JSON object, compact; the property order is the writer's, so the bytes are stable.</summary>
    internal static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
