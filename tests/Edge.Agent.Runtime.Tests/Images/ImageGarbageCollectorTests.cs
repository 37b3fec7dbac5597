using Edge.Agent.Runtime.Images;
using Edge.Agent.Runtime.Tests.Pods;
using Edge.E2E.Tests.Infrastructure;
using Edge.Native.HostInfo;

namespace Edge.Agent.Runtime.Tests.Images;

/// <summary>Image garbage collection on a real containerd: what goes, and what never does.</summary>
public sealed class ImageGarbageCollectorTests(RuntimeFixture node) : IClassFixture<RuntimeFixture>
{
    private const string InUse = "edge.test/gc-in-use:1";
    private const string Unused = "edge.test/gc-unused:1";

    [Fact]
    public async Task Collect_DiskPastTheHighThreshold_RemovesOnlyTheUnusedUnpinnedImage()
    {
        var imagesDir = ImageMirrorOptions.ForDataDir(Path.Combine(node.Dir, "data")).ImagesDir;
        await node.Cri.PullImageAsync(TestImages.BusyboxReference, null, CancellationToken.None); // unused, but pinned
        foreach (var reference in new[] { InUse, Unused })
        {
            // Offered by the images dir to be pulled, then taken away again: no longer pinned.
            // Its own configuration makes it an image of its own (an ID of its own), not a third
            // name of the busybox image.
            var file = Path.Combine(imagesDir, $"{reference.Replace('/', '_').Replace(':', '_')}.tar");
            using (var tar = File.Create(file))
            {
                OciImageWriter.Write(TestImages.Busybox(reference) with { Env = ["PATH=/bin", $"EDGE_TEST_IMAGE={reference}"] }, tar);
            }

            await node.Cri.PullImageAsync(reference, null, CancellationToken.None);
            File.Delete(file);
        }

        var pod = TestPods.Pod("gc-user", TestPods.Container("sleeper", "sleep", "3600"));
        pod["spec"]!["containers"]![0]!["image"] = InUse;
        node.AddPod(pod);
        await node.Node.WaitForStatusAsync(TestPods.Uid(pod), s => TestPods.Phase(s) == "Running", TimeSpan.FromSeconds(60), node.Logs);

        var full = new FileSystemStats(CapacityBytes: 100L << 30, AvailableBytes: 1L << 30, Inodes: 1000, InodesFree: 500, FileSystemId: 1);
        await using var collector = new ImageGarbageCollector(
            node.Cri, new ImageGcPolicy(HighThresholdPercent: 85, LowThresholdPercent: 80, MinimumAge: TimeSpan.Zero),
            () => full, () => [TestImages.BusyboxReference, PauseImage.Reference], node.Node, new NullLog(), TimeProvider.System);

        var result = await collector.CollectAsync(CancellationToken.None);

        Assert.Equal([Unused], result.Removed);
        Assert.True(result.BytesFreed > 0);
        var left = (await node.Cri.ListImagesAsync(CancellationToken.None)).SelectMany(i => i.RepoTags).ToList();
        Assert.DoesNotContain(Unused, left);
        Assert.Contains(InUse, left);
        Assert.Contains(TestImages.BusyboxReference, left);
        Assert.Contains(PauseImage.Reference, left);
        // 99 % used and nothing more to remove: short of the goal, kubelet's FreeDiskSpaceFailed on the node.
        Assert.False(result.FreedEnough);
        var warning = Assert.Single(node.Node.NodeEvents);
        Assert.Equal(("Warning", "FreeDiskSpaceFailed"), (warning.Type, warning.Reason));
        Assert.StartsWith("Failed to garbage collect required amount of images. Attempted to free ", warning.Message);
    }

    [Fact]
    public async Task Collect_DiskBelowTheHighThreshold_RemovesNothing()
    {
        var roomy = new FileSystemStats(CapacityBytes: 100L << 30, AvailableBytes: 50L << 30, Inodes: 1000, InodesFree: 500, FileSystemId: 1);
        await using var collector = new ImageGarbageCollector(
            node.Cri, new ImageGcPolicy(MinimumAge: TimeSpan.Zero), () => roomy, () => [], node.Node, new NullLog(), TimeProvider.System);
        var before = (await node.Cri.ListImagesAsync(CancellationToken.None)).Count;

        var result = await collector.CollectAsync(CancellationToken.None);

        Assert.Equal(0, result.BytesToFree);
        Assert.Empty(result.Removed);
        Assert.Equal(before, (await node.Cri.ListImagesAsync(CancellationToken.None)).Count);
    }

    [Theory]
    [InlineData("busybox:1", "docker.io/library/busybox:1")]
    [InlineData("rancher/pause:3.6", "docker.io/rancher/pause:3.6")]
    [InlineData("edge.local/pause:3.10", "edge.local/pause:3.10")]
    [InlineData("localhost/x:1", "localhost/x:1")]
    [InlineData("127.0.0.1:5000/x:1", "127.0.0.1:5000/x:1")]
    public void Normalize_NamesAsContainerdDoes(string reference, string expected) =>
        Assert.Equal(expected, ImageGarbageCollector.Normalize(reference));

    [Fact]
    public void Policy_Problems_NamesTheFlags()
    {
        Assert.Empty(new ImageGcPolicy().Problems());
        Assert.Contains("--image-gc-low-threshold 90 is above --image-gc-high-threshold 85", new ImageGcPolicy(85, 90).Problems());
        Assert.Contains("--image-gc-high-threshold 101 is not a percentage (0–100)", new ImageGcPolicy(101, 80).Problems());
    }

    private sealed class NullLog : IRuntimeLog
    {
        public void Info(string message)
        {
        }

        public void Warn(string message)
        {
        }

        public void Error(string message)
        {
        }
    }
}
