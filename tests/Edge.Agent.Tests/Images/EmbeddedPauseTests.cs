using Edge.Agent.Images;
using Edge.Agent.Runtime.Images;

namespace Edge.Agent.Tests.Images;

public sealed class EmbeddedPauseTests
{
    [Fact]
    public void EnsureImage_BuildWithoutARuntimeIdentifier_SaysSoAndWritesNothing()
    {
        // The test build has no RuntimeIdentifier, so edge-agent's assembly carries no pause program.
        var dir = Directory.CreateTempSubdirectory("edge-pause-").FullName;
        try
        {
            Assert.Null(EmbeddedPause.Program());

            var (ok, line) = EmbeddedPause.EnsureImage(dir);

            Assert.False(ok);
            Assert.Contains("this build carries no pause image", line);
            Assert.Contains(PauseImage.Reference, line);
            Assert.Empty(Directory.GetFileSystemEntries(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
