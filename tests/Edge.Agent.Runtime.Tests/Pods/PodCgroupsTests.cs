using Edge.Agent.Runtime.Pods;

namespace Edge.Agent.Runtime.Tests.Pods;

/// <summary>On a plain directory tree standing in for /sys/fs/cgroup: rmdir of a non-empty folder fails there too.</summary>
public sealed class PodCgroupsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("edge-cgroups-").FullName;

    [Fact]
    public async Task Remove_V1_EveryHierarchyAndQosParent_ChildFoldersFirst()
    {
        foreach (var hierarchy in new[] { "memory", "cpu", "pids" })
        {
            Directory.CreateDirectory(Path.Combine(_root, hierarchy, "edge", "besteffort", "poduid-1", "leftover-container"));
            Directory.CreateDirectory(Path.Combine(_root, hierarchy, "edge", "poduid-1"));
            Directory.CreateDirectory(Path.Combine(_root, hierarchy, "edge", "burstable", "poduid-2"));
        }

        Assert.Equal(6, PodCgroups.Directories(_root, "/edge", "uid-1").Count());
        Assert.Empty(await PodCgroups.RemoveAsync(_root, "/edge", "uid-1", CancellationToken.None));
        Assert.Empty(PodCgroups.Directories(_root, "/edge", "uid-1"));
        Assert.Equal(3, PodCgroups.Directories(_root, "/edge", "uid-2").Count());
    }

    [Fact]
    public async Task Remove_AFolderStillInUse_IsReportedAndKept()
    {
        var busy = Path.Combine(_root, "memory", "edge", "burstable", "poduid-3");
        Directory.CreateDirectory(busy);
        File.WriteAllText(Path.Combine(busy, "cgroup.procs"), "42\n");

        var left = await PodCgroups.RemoveAsync(_root, "/edge", "uid-3", CancellationToken.None);

        Assert.Equal([busy], left);
        Assert.True(Directory.Exists(busy));
    }

    [Fact]
    public void Directories_V2_UsesTheUnifiedTree()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpu memory pids\n");
        Directory.CreateDirectory(Path.Combine(_root, "edge", "besteffort", "poduid-4"));

        Assert.Equal([Path.Combine(_root, "edge", "besteffort", "poduid-4")], PodCgroups.Directories(_root, "/edge", "uid-4"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
