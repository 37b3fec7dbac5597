using Edge.Agent.StaticPods;

namespace Edge.Agent.Tests.StaticPods;

public sealed class StaticPodSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-static-").FullName;
    private readonly TestLog _log = new();

    private static string Pod(string name, string image = "busybox:1.36") =>
        $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: {image}\n";

    [Fact]
    public void Rescan_BrokenFile_LoggedWithFileAndLine_OthersRun()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), Pod("a"));
        File.WriteAllText(Path.Combine(_dir, "b.yml"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers: [\n");
        File.WriteAllText(Path.Combine(_dir, "c.json"), """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"c"},"spec":{"containers":[{"name":"c","image":"i:1"}]}}""");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), Pod("ignored"));
        File.WriteAllText(Path.Combine(_dir, ".hidden.yaml"), Pod("hidden"));
        var source = new StaticPodSource(_dir, "n1", _log, TimeProvider.System);

        source.Rescan();

        Assert.Equal(["a-n1", "c-n1"], source.Current.Values.Select(p => p.Name).Order());
        var error = Assert.Single(_log.Lines, l => l.StartsWith("fail:", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(_dir, "b.yml"), error);
        Assert.Contains("line ", error);
    }

    [Fact]
    public async Task Rescan_FileChangedOrRemoved_NewSetPublished_UnchangedKeepsItsObjects()
    {
        var file = Path.Combine(_dir, "a.yaml");
        File.WriteAllText(file, Pod("a"));
        var source = new StaticPodSource(_dir, "n1", _log, TimeProvider.System);
        source.Rescan();
        var first = source.Current;
        var oldUid = Assert.Single(first.Keys);

        source.Rescan();
        Assert.Same(first, source.Current);

        var next = source.NextAsync(first, default);
        File.WriteAllText(file, Pod("a", "busybox:1.37"));
        source.Rescan();
        var changed = await next;
        Assert.DoesNotContain(oldUid, changed.Keys);
        Assert.True(source.IsStatic(oldUid));

        File.Delete(file);
        source.Rescan();
        Assert.Empty(source.Current);
    }

    [Fact]
    public void Rescan_SameNameInTwoFiles_FirstFileWins()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), Pod("x"));
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), Pod("x", "other:1"));
        var source = new StaticPodSource(_dir, "n1", _log, TimeProvider.System);

        source.Rescan();

        Assert.Equal(Path.Combine(_dir, "a.yaml"), Assert.Single(source.Current.Values).File);
    }

    [Fact]
    public void Rescan_MissingDirectory_NoPods()
    {
        var source = new StaticPodSource(Path.Combine(_dir, "absent"), "n1", _log, TimeProvider.System);

        source.Rescan();

        Assert.Empty(source.Current);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
