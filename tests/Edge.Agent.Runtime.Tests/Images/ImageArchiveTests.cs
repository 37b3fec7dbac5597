using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Images;

namespace Edge.Agent.Runtime.Tests.Images;

public sealed class ImageArchiveTests
{
    [Fact]
    public void Load_OciLayout_NamesAndBlobs()
    {
        using var temp = new TempDir();
        var digest = TestArchives.WriteOci(temp["tiny.tar"], TestArchives.Tiny("edge.test/tiny:1"));

        var archive = ImageArchive.Load(temp["tiny.tar"]);

        var image = Assert.Single(archive.Images);
        Assert.Equal(new ImageReference("edge.test", "tiny", "1"), image.Reference);
        Assert.Equal(digest, image.Digest);
        Assert.Equal(3, archive.Blobs.Count);
        Assert.All(archive.Blobs, b => Assert.Equal(b.Key, OciImageWriter.Digest(b.Value.ReadAll())));
    }

    [Fact]
    public void Load_DockerArchive_ConvertedToAnOciManifestWithComputedDigests()
    {
        using var temp = new TempDir();
        var layer = OciImageWriter.LayerTar([new LayerFile("hello", "hi"u8.ToArray(), (UnixFileMode)0x1A4)]);
        TestArchives.WriteDockerArchive(temp["saved.tar"], "busybox:latest", layer);

        var archive = ImageArchive.Load(temp["saved.tar"]);

        var image = Assert.Single(archive.Images);
        Assert.Equal(new ImageReference(null, "library/busybox", "latest"), image.Reference);
        var manifest = archive.Blobs[image.Digest];
        Assert.Equal(OciMediaTypes.ImageManifest, manifest.MediaType);
        Assert.Equal(image.Digest, OciImageWriter.Digest(manifest.ReadAll()));
        var json = JsonNode.Parse(manifest.ReadAll())!;
        var layerDescriptor = json["layers"]![0]!;
        Assert.Equal(OciImageWriter.Digest(layer), (string)layerDescriptor["digest"]!);
        Assert.Equal(OciMediaTypes.Layer, (string)layerDescriptor["mediaType"]!);
        Assert.Equal(layer, archive.Blobs[(string)layerDescriptor["digest"]!].ReadAll());
        var configDigest = (string)json["config"]!["digest"]!;
        Assert.Equal(configDigest, OciImageWriter.Digest(archive.Blobs[configDigest].ReadAll()));
    }

    [Fact]
    public void Load_Truncated_SaysTruncated()
    {
        using var temp = new TempDir();
        TestArchives.WriteOci(temp["tiny.tar"], TestArchives.Tiny("edge.test/tiny:1"));
        var bytes = File.ReadAllBytes(temp["tiny.tar"]);
        File.WriteAllBytes(temp["cut.tar"], bytes[..(bytes.Length / 2 + 100)]);

        var error = Assert.Throws<ImageException>(() => ImageArchive.Load(temp["cut.tar"]));
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    public void Load_NotATarball_SaysSo(string content)
    {
        using var temp = new TempDir();
        File.WriteAllText(temp["x.tar"], string.Concat(Enumerable.Repeat(content, 200)));

        var error = Assert.Throws<ImageException>(() => ImageArchive.Load(temp["x.tar"]));
        Assert.Matches("is not a tar archive|is empty|truncated", error.Message);
    }

    [Fact]
    public void Load_TarWithoutImage_SaysSo()
    {
        using var temp = new TempDir();
        using (var file = File.Create(temp["plain.tar"]))
        using (var tar = new System.Formats.Tar.TarWriter(file))
        {
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "readme") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }

        var error = Assert.Throws<ImageException>(() => ImageArchive.Load(temp["plain.tar"]));
        Assert.Contains("not an image", error.Message);
    }

    [Theory]
    [InlineData("busybox", null, "library/busybox", "latest")]
    [InlineData("busybox:1.36", null, "library/busybox", "1.36")]
    [InlineData("edge.local/pause:3.10", "edge.local", "pause", "3.10")]
    [InlineData("localhost:5000/a/b", "localhost:5000", "a/b", "latest")]
    [InlineData("team/app:v2", null, "team/app", "v2")]
    public void ImageReference_Parses(string text, string? host, string repository, string tag)
    {
        Assert.True(ImageReference.TryParse(text, out var reference));
        Assert.Equal(new ImageReference(host, repository, tag), reference);
    }
}
