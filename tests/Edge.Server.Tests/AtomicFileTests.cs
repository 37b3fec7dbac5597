using Edge.Native;

namespace Edge.Server.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_ReplacesContentAndModeLeavingNoTempFile()
    {
        var path = Path.Combine(_dir, "f");
        File.WriteAllText(path, "old");

        AtomicFile.WriteText(path, "new", AtomicFile.OwnerOnly);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(["f"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_IntoMissingDirectory_ThrowsAndLeavesNothing()
    {
        var path = Path.Combine(_dir, "missing", "f");

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteText(path, "x", AtomicFile.OwnerOnly));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
