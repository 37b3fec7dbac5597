using Edge.Agent.Runtime.Images;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.Agent.Runtime.Tests.Images;

/// <summary>The mirror as a real containerd (1.6, from Debian) sees it: through the _default hosts.toml only.</summary>
public sealed class ContainerdPullTests
{
    [Fact]
    public async Task CtrPull_ThroughTheMirror_BusyboxAndPause()
    {
        using var temp = new TempDir();
        var options = ImageMirrorOptions.ForDataDir(temp["data"]);
        Directory.CreateDirectory(options.ImagesDir);
        TestImages.WriteBusybox(Path.Combine(options.ImagesDir, "busybox.tar"));
        PauseImage.Ensure(options.ImagesDir, File.ReadAllBytes(PauseProgram()), TestImages.HostArchitecture);
        await using var mirror = new ImageMirror(options, _ => { });
        await mirror.StartAsync(CancellationToken.None);
        using var containerd = await PrivateContainerd.StartAsync();
        mirror.WriteHostsConfig(containerd.CertsDir);

        foreach (var reference in new[] { TestImages.BusyboxReference, PauseImage.Reference })
        {
            var pull = await containerd.CtrAsync("-n", "k8s.io", "images", "pull", "--hosts-dir", containerd.CertsDir, reference);
            Assert.True(pull.ExitCode == 0, $"ctr pull {reference}: {pull.Output}\ncontainerd:\n{containerd.Output}");
        }

        var list = await containerd.CtrAsync("-n", "k8s.io", "images", "ls", "-q");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(TestImages.BusyboxReference, list.Output.Split('\n'));
        Assert.Contains(PauseImage.Reference, list.Output.Split('\n'));
    }

    [Fact]
    public async Task CtrPull_ImageTheMirrorLacks_Fails()
    {
        using var temp = new TempDir();
        await using var mirror = new ImageMirror(ImageMirrorOptions.ForDataDir(temp["data"]), _ => { });
        await mirror.StartAsync(CancellationToken.None);
        using var containerd = await PrivateContainerd.StartAsync();
        mirror.WriteHostsConfig(containerd.CertsDir);

        // Falls through to the registry itself, which does not exist: the pull must fail, not hang.
        var pull = await containerd.CtrAsync("-n", "k8s.io", "images", "pull", "--hosts-dir", containerd.CertsDir, "edge.invalid/absent:1");

        Assert.NotEqual(0, pull.ExitCode);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task PauseProgram_StopSignal_ExitsZero(string signal)
    {
        using var pause = System.Diagnostics.Process.Start(PauseProgram())!;
        await Task.Delay(200);
        Assert.False(pause.HasExited);

        using var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, pause.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await pause.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!pause.HasExited)
            {
                pause.Kill();
            }
        }

        Assert.Equal(0, pause.ExitCode);
    }

    /// <summary>The pause program ./build.sh native compiled for this machine.</summary>
    internal static string PauseProgram()
    {
        var rid = TestImages.HostArchitecture == "amd64" ? "linux-x64" : "linux-arm64";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "native", rid, "pause");
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                return File.Exists(candidate) ? candidate : throw new FileNotFoundException($"{candidate} is missing: run ./build.sh native {rid}");
            }
        }

        throw new InvalidOperationException("cannot find Edge.sln above " + AppContext.BaseDirectory);
    }
}
