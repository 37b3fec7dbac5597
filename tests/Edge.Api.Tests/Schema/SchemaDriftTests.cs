using Edge.SchemaGen;

namespace Edge.Api.Tests.Schema;

public class SchemaDriftTests
{
    [Fact]
    public void CommittedSchema_MatchesGenerator()
    {
        var committed = File.ReadAllText(Path.Combine(RepositoryRoot(), "server", "Edge.Api", "Schema", "kubernetes-schema.json"));

        // On failure: dotnet run --project tools/Edge.SchemaGen, and commit the file.
        Assert.True(committed == SchemaGenerator.Generate(), "kubernetes-schema.json is stale: run tools/Edge.SchemaGen");
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Edge.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Edge.sln not found above the test binaries");
    }
}
