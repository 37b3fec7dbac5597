using System.Formats.Tar;
using System.Text;
using Edge.Agent.Runtime.Images;
using ZstdSharp;

namespace Edge.Agent.Runtime.Tests.Images;

/// <summary>Small image archives in each format the mirror reads, made on the spot.</summary>
internal static class TestArchives
{
    public static OciImage Tiny(string reference, string content = "hello") =>
        new(reference, "amd64",
        [
            new LayerDirectory("data", (UnixFileMode)0x1ED),
            new LayerFile("data/greeting", Encoding.UTF8.GetBytes(content), (UnixFileMode)0x1A4),
            new LayerSymlink("data/link", "greeting"),
        ])
        { Cmd = ["/data/greeting"] };

    public static string WriteOci(string path, OciImage image)
    {
        using var file = File.Create(path);
        return OciImageWriter.Write(image, file);
    }

    /// <summary>
    /// What <c>docker save</c> writes: <c>manifest.json</c>, the config as <c>&lt;hex&gt;.json</c>, each layer as
    /// <c>&lt;dir&gt;/layer.tar</c>, with ./-prefixed names (as older Docker versions wrote them).
    /// </summary>
    public static void WriteDockerArchive(string path, string repoTag, byte[] layer)
    {
        var diffId = OciImageWriter.Digest(layer);
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}""");
        var configName = OciImageWriter.Digest(config)["sha256:".Length..] + ".json";
        var manifest = Encoding.UTF8.GetBytes($$$"""[{"Config":"{{{configName}}}","RepoTags":["{{{repoTag}}}"],"Layers":["abc123/layer.tar"]}]""");
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        Add(tar, "./abc123/layer.tar", layer);
        Add(tar, "./" + configName, config);
        Add(tar, "./manifest.json", manifest);
    }

    public static void Compress(string source, string zstPath)
    {
        using var input = File.OpenRead(source);
        using var output = File.Create(zstPath);
        using var zstd = new CompressionStream(output);
        input.CopyTo(zstd);
    }

    private static void Add(TarWriter tar, string name, byte[] content) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
}
