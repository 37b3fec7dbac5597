using Edge.SchemaGen;

// Writes server/Edge.Api/Schema/kubernetes-schema.json (or the path given). Run from anywhere in
// the repository after changing KubernetesClient's version or the resource catalog:
//   dotnet run --project tools/Edge.SchemaGen
var output = args.Length > 0 ? args[0] : Path.Combine(RepositoryRoot(), "server", "Edge.Api", "Schema", "kubernetes-schema.json");
var text = SchemaGenerator.Generate();
File.WriteAllText(output, text);
Console.WriteLine($"wrote {output} ({text.Length} bytes)");

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Edge.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("run inside the Edge repository (no Edge.sln above the working directory)");
}
