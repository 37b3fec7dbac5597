using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

/// <summary><c>edge-agent images import|list</c> on the published binary.</summary>
public sealed class ImagesCliTests
{
    [Fact]
    public async Task Import_BusyboxTarball_CopiedIntoTheImagesDir_ListShowsIt()
    {
        using var temp = new TempDir();
        var digest = TestImages.WriteBusybox(temp["busybox.oci"]);

        var import = await Run.Async(Binaries.Agent(), ["images", "import", temp["busybox.oci"], "--data-dir", temp["data"]]);
        var list = await Run.Async(Binaries.Agent(), ["images", "list", "--data-dir", temp["data"]]);

        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains($"imported {TestImages.BusyboxReference} {digest}", import.Stdout);
        Assert.Equal(File.ReadAllBytes(temp["busybox.oci"]), File.ReadAllBytes(temp["data/images/busybox.oci.tar"]));
        // The mirror reads *.tar and *.tar.zst: the name gets the extension of what the file holds.
        Assert.Equal(["busybox.oci.tar"], Directory.GetFileSystemEntries(temp["data/images"]).Select(Path.GetFileName));
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(TestImages.BusyboxReference, list.Stdout);
        Assert.Contains(digest, list.Stdout);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("garbage", "is not a tar archive")]
    [InlineData("truncated", "is truncated")]
    [InlineData("truncated-zst", "is not a complete zstd stream")]
    public async Task Import_BadFile_OneLineAndNothingLeftBehind(string kind, string expected)
    {
        using var temp = new TempDir();
        var file = temp["image.tar"];
        TestImages.WriteBusybox(temp["good.tar"]);
        var good = File.ReadAllBytes(temp["good.tar"]);
        switch (kind)
        {
            case "garbage":
                File.WriteAllText(file, string.Concat(Enumerable.Repeat("not an image ", 100)));
                break;
            case "truncated":
                File.WriteAllBytes(file, good[..(good.Length * 2 / 3)]);
                break;
            case "truncated-zst":
                // zstd's magic, then nothing that decodes.
                File.WriteAllBytes(file, [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x01, 0x02]);
                break;
        }

        var import = await Run.Async(Binaries.Agent(), ["images", "import", file, "--data-dir", temp["data"]]);

        Assert.Equal(1, import.ExitCode);
        var line = Assert.Single(import.ErrorLines);
        Assert.StartsWith("edge-agent: ", line);
        Assert.Contains(expected, line);
        Assert.Empty(Directory.Exists(temp["data/images"]) ? Directory.GetFileSystemEntries(temp["data/images"]) : []);
        Assert.Empty(Directory.Exists(temp["data/cache/images"]) ? Directory.GetFileSystemEntries(temp["data/cache/images"]) : []);
    }
}
