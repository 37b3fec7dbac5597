namespace Edge.E2E.Tests.Infrastructure;

/// <summary>Finds the published executables the tests drive.</summary>
public static class Binaries
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>artifacts/publish/&lt;rid&gt;/</c>, or <c>EDGE_PUBLISH_DIR/&lt;rid&gt;</c>.</summary>
    public static string PublishDir(string rid) =>
        Path.Combine(Environment.GetEnvironmentVariable("EDGE_PUBLISH_DIR") ?? Path.Combine(RepoRoot, "artifacts", "publish"), rid);

    public static string Server(string rid = "linux-x64") => Require(Path.Combine(PublishDir(rid), "edge-server"));

    public static string Agent(string rid = "linux-x64") => Require(Path.Combine(PublishDir(rid), "edge-agent"));

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not published: run ./build.sh publish first", path);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Edge.sln above " + AppContext.BaseDirectory);
    }
}
