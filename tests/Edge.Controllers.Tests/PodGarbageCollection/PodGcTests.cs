using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.PodGarbageCollection;

public sealed class PodGcTests
{
    private static async Task<bool> ExistsAsync(ControllerCluster cluster, string name)
    {
        try
        {
            await cluster.Client.GetAsync(KnownResources.Pods, cluster.Namespace, name, default);
            return true;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return false;
        }
    }

    [Fact]
    public async Task Pod_BoundToMissingNode_DeletedAfterQuarantine()
    {
        var quarantine = TimeSpan.FromSeconds(1);
        await using var cluster = await StartAsync(new ControllerOptions { PodGcOrphanQuarantine = quarantine });
        await cluster.Client.CreateAsync(KnownResources.Nodes, null, Json("""{"metadata":{"name":"here"}}"""), default);
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, Json("""
            {"metadata":{"name":"kept"},"spec":{"nodeName":"here","containers":[{"name":"c","image":"busybox:1"}]}}
            """), default);
        var started = DateTime.UtcNow;
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, Json("""
            {"metadata":{"name":"orphan"},"spec":{"nodeName":"gone","containers":[{"name":"c","image":"busybox:1"}]}}
            """), default);

        await Task.Delay(quarantine / 2);
        Assert.True(await ExistsAsync(cluster, "orphan"), "deleted within the quarantine");
        await WaitForAsync(async () => !await ExistsAsync(cluster, "orphan"), "orphan deleted", 10);
        Assert.True(DateTime.UtcNow - started >= quarantine);
        Assert.True(await ExistsAsync(cluster, "kept"));
    }

    [Fact]
    public async Task TerminatedPods_BeyondThreshold_OldestDeleted()
    {
        await using var cluster = await StartAsync(new ControllerOptions { TerminatedPodGcThreshold = 2 });
        cluster.ExitCodes["done:1"] = 0;
        cluster.ExitCodes["fail:1"] = 1;
        for (var i = 1; i <= 5; i++)
        {
            var image = i % 2 == 0 ? "fail:1" : "done:1";
            await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, Json($$$"""
                {"metadata":{"name":"p{{{i}}}"},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"{{{image}}}"}]}}
                """), default);
        }

        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, Json("""
            {"metadata":{"name":"running"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}
            """), default);

        await WaitForAsync(async () =>
        {
            var names = (await cluster.ListAsync(KnownResources.Pods)).Select(p => p.Name()).Order().ToList();
            return names.SequenceEqual(["p4", "p5", "running"]);
        }, "the 3 oldest finished pods deleted", 15);
        await Task.Delay(300);
        var left = await cluster.ListAsync(KnownResources.Pods);
        Assert.Equal(["p4", "p5", "running"], left.Select(p => p.Name()).Order());
        Assert.Equal("Running", ObjectFields.String(left.Single(p => p.Name() == "running")["status"], "phase"));
    }
}
