using System.Formats.Tar;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Images;

namespace Edge.Agent.Runtime.Tests.Images;

public sealed class OciImageWriterTests
{
    [Fact]
    public void Write_ProducesAValidLayout_DigestsAndSizesMatch()
    {
        using var buffer = new MemoryStream();
        var manifestDigest = OciImageWriter.Write(TestArchives.Tiny("edge.test/tiny:2"), buffer);
        buffer.Position = 0;

        var files = ReadTar(buffer);
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", System.Text.Encoding.UTF8.GetString(files["oci-layout"]));
        foreach (var (name, content) in files.Where(f => f.Key.StartsWith("blobs/sha256/", StringComparison.Ordinal)))
        {
            Assert.Equal("sha256:" + name["blobs/sha256/".Length..], OciImageWriter.Digest(content));
        }

        var entry = JsonNode.Parse(files["index.json"])!["manifests"]![0]!;
        Assert.Equal(manifestDigest, (string)entry["digest"]!);
        Assert.Equal("edge.test/tiny:2", (string)entry["annotations"]![OciMediaTypes.ContainerdImageName]!);
        Assert.Equal("2", (string)entry["annotations"]![OciMediaTypes.RefName]!);
        var manifestBytes = Blob(files, manifestDigest);
        Assert.Equal((long)entry["size"]!, manifestBytes.Length);

        var manifest = JsonNode.Parse(manifestBytes)!;
        Assert.Equal(OciMediaTypes.ImageManifest, (string)manifest["mediaType"]!);
        var configDescriptor = manifest["config"]!;
        var config = JsonNode.Parse(Blob(files, (string)configDescriptor["digest"]!))!;
        Assert.Equal((long)configDescriptor["size"]!, Blob(files, (string)configDescriptor["digest"]!).Length);
        Assert.Equal("amd64", (string)config["architecture"]!);
        Assert.Equal("linux", (string)config["os"]!);
        Assert.Equal("/data/greeting", (string)config["config"]!["Cmd"]![0]!);
        Assert.Equal("/", (string)config["config"]!["WorkingDir"]!);

        var layerDescriptor = manifest["layers"]![0]!;
        var layer = Blob(files, (string)layerDescriptor["digest"]!);
        Assert.Equal((long)layerDescriptor["size"]!, layer.Length);
        Assert.Equal(OciMediaTypes.Layer, (string)layerDescriptor["mediaType"]!);
        Assert.Equal((string)layerDescriptor["digest"]!, (string)config["rootfs"]!["diff_ids"]![0]!);

        var entries = new List<TarEntry>();
        using var layerReader = new TarReader(new MemoryStream(layer));
        while (layerReader.GetNextEntry() is { } e)
        {
            entries.Add(e);
        }

        Assert.Equal(["data/", "data/greeting", "data/link"], entries.Select(e => e.Name));
        Assert.Equal(TarEntryType.Directory, entries[0].EntryType);
        Assert.Equal((UnixFileMode)0x1A4, entries[1].Mode);
        Assert.Equal(TarEntryType.SymbolicLink, entries[2].EntryType);
        Assert.Equal("greeting", entries[2].LinkName);
        Assert.All(entries, e => Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime));
    }

    [Fact]
    public void Write_SameImageTwice_SameBytes()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        var firstDigest = OciImageWriter.Write(TestArchives.Tiny("edge.test/tiny:1"), first);
        var secondDigest = OciImageWriter.Write(TestArchives.Tiny("edge.test/tiny:1"), second);

        Assert.Equal(firstDigest, secondDigest);
        Assert.Equal(first.ToArray(), second.ToArray());
        Assert.NotEqual(firstDigest, OciImageWriter.Write(TestArchives.Tiny("edge.test/tiny:1", "other"), new MemoryStream()));
    }

    [Fact]
    public void Write_ReferenceWithoutHost_Refused()
    {
        Assert.Throws<ArgumentException>(() => OciImageWriter.Write(TestArchives.Tiny("busybox:1"), new MemoryStream()));
    }

    [Fact]
    public void PauseImage_Ensure_WritesOnceThenLeavesAnIdenticalFile()
    {
        using var temp = new TempDir();
        var program = new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3 };

        Assert.True(PauseImage.Ensure(temp.Path, program, "amd64"));
        var written = File.GetLastWriteTimeUtc(temp[PauseImage.FileName]);
        Assert.False(PauseImage.Ensure(temp.Path, program, "amd64"));
        Assert.Equal(written, File.GetLastWriteTimeUtc(temp[PauseImage.FileName]));
        Assert.True(PauseImage.Ensure(temp.Path, program, "arm64"));

        var archive = ImageArchive.Load(temp[PauseImage.FileName]);
        var image = Assert.Single(archive.Images);
        Assert.Equal(PauseImage.Reference, image.Reference.ToString());
    }

    private static Dictionary<string, byte[]> ReadTar(Stream stream)
    {
        var files = new Dictionary<string, byte[]>();
        using var reader = new TarReader(stream, leaveOpen: true);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType == TarEntryType.RegularFile)
            {
                using var content = new MemoryStream();
                entry.DataStream!.CopyTo(content);
                files[entry.Name] = content.ToArray();
            }
        }

        return files;
    }

    private static byte[] Blob(Dictionary<string, byte[]> files, string digest) => files["blobs/sha256/" + digest["sha256:".Length..]];
}
