using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests;

/// <summary>Deleting a Deployment with each propagation policy leaves what upstream leaves.</summary>
public sealed class GarbageCollectionTests
{
    private static readonly ResourceType Pods = KnownResources.Pods;
    private static readonly ResourceType ReplicaSets = KnownResources.ReplicaSets;
    private static readonly ResourceType Deployments = KnownResources.Deployments;

    private static async Task<ControllerCluster> WithDeploymentAsync()
    {
        var cluster = await StartAsync();
        await cluster.Client.CreateAsync(Deployments, cluster.Namespace, Json("""
            {"metadata":{"name":"web"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"web:1"}]}}}}
            """), default);
        await WorkloadTests.WaitForRolledOutAsync(cluster, "web", 3);
        return cluster;
    }

    [Fact]
    public async Task DeleteDeployment_Background_RemovesItAtOnceAndThenItsReplicaSetsAndPods()
    {
        await using var cluster = await WithDeploymentAsync();

        var left = await cluster.Client.DeleteAsync(Deployments, cluster.Namespace, "web", new DeleteRequest { PropagationPolicy = "Background" }, default);

        Assert.Null(left);
        await WaitForAsync(async () => (await cluster.ListAsync(ReplicaSets)).Count == 0 && (await cluster.ListAsync(Pods)).Count == 0,
            "replica sets and pods collected");
    }

    [Fact]
    public async Task DeleteDeployment_Orphan_LeavesReplicaSetAndPodsWithoutTheOwner()
    {
        await using var cluster = await WithDeploymentAsync();

        await cluster.Client.DeleteAsync(Deployments, cluster.Namespace, "web", new DeleteRequest { PropagationPolicy = "Orphan" }, default);

        await WaitForAsync(async () => (await cluster.ListAsync(Deployments)).Count == 0, "deployment gone");
        await Task.Delay(500);
        var sets = await cluster.ListAsync(ReplicaSets);
        var set = Assert.Single(sets);
        Assert.False(set["metadata"]?["ownerReferences"] is System.Text.Json.Nodes.JsonArray { Count: > 0 }, "the replica set still has an owner");
        var pods = await cluster.ListAsync(Pods);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(set.Uid(), ObjectFields.String(Common.Owners.ControllerOf(p), "uid")));
    }

    [Fact]
    public async Task DeleteDeployment_Foreground_KeepsItUntilItsDependentsAreGone()
    {
        await using var cluster = await WithDeploymentAsync();

        var left = await cluster.Client.DeleteAsync(Deployments, cluster.Namespace, "web", new DeleteRequest { PropagationPolicy = "Foreground" }, default);

        Assert.NotNull(left);
        Assert.NotNull(left!.DeletionTimestamp());
        Assert.Contains("foregroundDeletion", left["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        await WaitForAsync(async () => (await cluster.ListAsync(Deployments)).Count == 0, "deployment gone after its dependents");
        Assert.Empty(await cluster.ListAsync(ReplicaSets));
        Assert.Empty(await cluster.ListAsync(Pods));
    }
}
