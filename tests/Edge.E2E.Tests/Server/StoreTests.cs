using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>The server's datastore as an operator meets it: its lock, snapshots, restore.</summary>
public sealed class StoreTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task SecondServerOnSameDataDir_RefusedBeforeTouchingAnything()
    {
        await using var first = await ServerProcess.StartAsync(_temp);
        var kubeconfigBefore = File.ReadAllText(first.Kubeconfig);
        var otherKubeconfig = _temp["second.yaml"];

        var second = await Run.Async(Binaries.Server(), ["--data-dir", first.DataDir, "--https-listen-port", FreePort.Next().ToString(), "--bind-address", "127.0.0.1", "--write-kubeconfig", otherKubeconfig]);

        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"edge-server: store directory {first.DataDir}/db is in use by another process", second.Stderr);
        Assert.False(File.Exists(otherKubeconfig));
        Assert.Equal(kubeconfigBefore, File.ReadAllText(first.Kubeconfig));
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task SnapshotSave_WhileServerRuns_ThenRestoreIntoNewDataDirStartsServer()
    {
        var backup = _temp["backup.snap"];
        await using (var server = await ServerProcess.StartAsync(_temp))
        {
            var save = await Run.Async(Binaries.Server(), ["snapshot", "save", backup, "--data-dir", server.DataDir]);
            Assert.True(save.ExitCode == 0, save.ToString());
            Assert.StartsWith("saved revision ", save.Stdout);

            var intoLive = await Run.Async(Binaries.Server(), ["snapshot", "restore", backup, "--data-dir", server.DataDir]);
            Assert.Equal(1, intoLive.ExitCode);
            Assert.Contains("is not empty", intoLive.Stderr);
        }

        var restoredDir = _temp["restored-data"];
        var restore = await Run.Async(Binaries.Server(), ["snapshot", "restore", backup, "--data-dir", restoredDir]);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        await using var restored = await ServerProcess.StartAsync(_temp, "restored");
        Assert.Contains("store ", restored.Output);
    }

    [Fact]
    public async Task SnapshotCommands_BadInput_OneLineErrors()
    {
        var noStore = await Run.Async(Binaries.Server(), ["snapshot", "save", _temp["x.snap"], "--data-dir", _temp["nothing"]]);
        var noFile = await Run.Async(Binaries.Server(), ["snapshot", "restore", _temp["absent.snap"], "--data-dir", _temp["d"]]);
        File.WriteAllText(_temp["garbage.snap"], "not a snapshot");
        var garbage = await Run.Async(Binaries.Server(), ["snapshot", "restore", _temp["garbage.snap"], "--data-dir", _temp["g"]]);
        var noArgument = await Run.Async(Binaries.Server(), ["snapshot", "save"]);

        Assert.Equal(1, noStore.ExitCode);
        Assert.Contains("has no embedded store", Assert.Single(noStore.ErrorLines));
        Assert.Equal(1, noFile.ExitCode);
        Assert.Contains("does not exist", Assert.Single(noFile.ErrorLines));
        Assert.Equal(1, garbage.ExitCode);
        Assert.Contains("garbage.snap", Assert.Single(garbage.ErrorLines));
        Assert.False(Directory.Exists(Path.Combine(_temp["g"], "db")), "a failed restore left a store behind");
        Assert.Equal(2, noArgument.ExitCode);
        Assert.Contains("needs FILE", Assert.Single(noArgument.ErrorLines));
    }
}
