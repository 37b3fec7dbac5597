using Edge.Scheduler.Model;

namespace Edge.Scheduler.Tests.Model;

public sealed class SchedulingPodTests
{
    [Fact]
    public void FromObject_InitContainersAndOverhead_TakesMaxPlusOverhead()
    {
        var pod = SchedulingPod.FromObject(TestCluster.Parse("""
            {"metadata":{"name":"p","namespace":"n"},
             "spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"200m","memory":"1Gi"}}},
                                   {"name":"b","resources":{"requests":{"cpu":"300m"}}}],
                     "initContainers":[{"name":"i","resources":{"requests":{"cpu":"1","memory":"512Mi","example.com/gpu":"1"}}}],
                     "overhead":{"cpu":"50m","memory":"10Mi"}}}
            """));
        Assert.Equal(1050, pod.Requests.MilliCpu);
        Assert.Equal((1024L + 10) * 1024 * 1024, pod.Requests.MemoryBytes);
        Assert.Equal(1, pod.Requests.Scalar("example.com/gpu"));
        Assert.Equal(1, pod.Requests.PodCount);
    }

    [Fact]
    public void FromObject_SidecarInitContainer_AddsToContainers()
    {
        var pod = SchedulingPod.FromObject(TestCluster.Parse("""
            {"metadata":{"name":"p"},
             "spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"1"}}}],
                     "initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"500m"}}},
                                       {"name":"i","resources":{"requests":{"cpu":"1200m"}}}]}}
            """));
        // Running: 1 + 0.5; the init phase: 1.2 beside the 0.5 sidecar = 1.7.
        Assert.Equal(1700, pod.Requests.MilliCpu);
    }

    [Fact]
    public void FromObject_LimitsOnly_RequestsDefaultToLimits()
    {
        var pod = SchedulingPod.FromObject(TestCluster.Parse("""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"2","memory":"1Gi"}}}]}}
            """));
        Assert.Equal(2000, pod.Requests.MilliCpu);
        Assert.Equal(1L << 30, pod.Requests.MemoryBytes);
    }

    [Fact]
    public void FromObject_NoRequests_ScoresWithNonZeroDefaults()
    {
        var pod = SchedulingPod.FromObject(TestCluster.Parse("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"""));
        Assert.Equal(0, pod.Requests.MilliCpu);
        Assert.Equal(200, pod.NonZeroMilliCpu);
        Assert.Equal(400L * 1024 * 1024, pod.NonZeroMemory);
    }

    [Theory]
    [InlineData("nginx", "nginx:latest")]
    [InlineData("nginx:1.25", "nginx:1.25")]
    [InlineData("registry:5000/app", "registry:5000/app:latest")]
    [InlineData("registry:5000/app:v1", "registry:5000/app:v1")]
    public void NormalizeImage_Untagged_AddsLatest(string image, string normalized)
    {
        Assert.Equal(normalized, SchedulingPod.NormalizeImage(image));
    }
}
