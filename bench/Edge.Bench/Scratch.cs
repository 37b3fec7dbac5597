namespace Edge.Bench;

/// <summary>The benchmark's temp folder, removed at the end.</summary>
public sealed class Scratch : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edge-bench-").FullName;

    public string Dir(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
