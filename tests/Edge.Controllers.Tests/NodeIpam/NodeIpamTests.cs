using System.Net;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.NodeIpam;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.NodeIpam;

public sealed class NodeIpamTests
{
    private static Task CreateNodeAsync(ControllerCluster cluster, string name) =>
        cluster.Client.CreateAsync(KnownResources.Nodes, null, Json($$$"""{"metadata":{"name":"{{{name}}}"}}"""), default);

    private static async Task<string?> PodCidrAsync(ControllerCluster cluster, string name) =>
        ObjectFields.String((await cluster.Client.GetAsync(KnownResources.Nodes, null, name, default))["spec"], "podCIDR");

    private static async Task<string> WaitForCidrAsync(ControllerCluster cluster, string name)
    {
        string? cidr = null;
        await WaitForAsync(async () => (cidr = await PodCidrAsync(cluster, name)) is not null, $"a pod CIDR for {name}", 10);
        return cidr!;
    }

    private static bool Contains(string outer, string inner)
    {
        var o = IPNetwork.Parse(outer);
        var i = IPNetwork.Parse(inner);
        return i.PrefixLength >= o.PrefixLength && o.Contains(i.BaseAddress);
    }

    [Fact]
    public async Task Nodes_Registered_GetDistinctSubnetsOfTheClusterCidr()
    {
        await using var cluster = await StartAsync(new ControllerOptions { ClusterCidr = "10.50.0.0/16" });
        foreach (var name in new[] { "n1", "n2", "n3" })
        {
            await CreateNodeAsync(cluster, name);
        }

        var cidrs = new List<string>();
        foreach (var name in new[] { "n1", "n2", "n3" })
        {
            var cidr = await WaitForCidrAsync(cluster, name);
            var node = await cluster.Client.GetAsync(KnownResources.Nodes, null, name, default);
            Assert.Equal(cidr, Assert.Single(node["spec"]!["podCIDRs"]!.AsArray())!.GetValue<string>());
            Assert.EndsWith("/24", cidr);
            Assert.True(Contains("10.50.0.0/16", cidr), cidr);
            cidrs.Add(cidr);
        }

        Assert.Equal(3, cidrs.Distinct().Count());

        // Once set, a node's CIDR stays.
        var n1 = await cluster.Client.GetAsync(KnownResources.Nodes, null, "n1", default);
        n1["spec"]!["podCIDR"] = "10.50.200.0/24";
        n1["spec"]!["podCIDRs"] = new JsonArray((JsonNode)JsonValue.Create("10.50.200.0/24"));
        var refused = await Assert.ThrowsAsync<ApiException>(() => cluster.Client.UpdateAsync(KnownResources.Nodes, n1, null, default));
        Assert.Equal(422, refused.Status.Code);
        Assert.Contains("spec.podCIDR: Forbidden: node updates may not change podCIDR except from \"\" to valid", refused.Message);
    }

    [Fact]
    public async Task Pool_Full_ThirdNodeWarnedAndServedWhenACidrIsFreed()
    {
        await using var cluster = await StartAsync(new ControllerOptions { ClusterCidr = "10.60.0.0/23" });
        await CreateNodeAsync(cluster, "a");
        await CreateNodeAsync(cluster, "b");
        var a = await WaitForCidrAsync(cluster, "a");
        var b = await WaitForCidrAsync(cluster, "b");
        Assert.Equal(["10.60.0.0/24", "10.60.1.0/24"], new[] { a, b }.Order());

        await CreateNodeAsync(cluster, "c");
        await WaitForAsync(async () => (await cluster.Client.ListAsync(KnownResources.Events, "default", default)).Items
            .Any(e => ObjectFields.String(e, "reason") == "CIDRNotAvailable" && ObjectFields.String(e["involvedObject"], "name") == "c" &&
                ObjectFields.String(e, "type") == "Warning"), "CIDRNotAvailable event for c", 10);
        Assert.Null(await PodCidrAsync(cluster, "c"));

        await cluster.Client.DeleteAsync(KnownResources.Nodes, null, "a", DeleteRequest.Default, default);
        Assert.Equal(a, await WaitForCidrAsync(cluster, "c"));
    }

    [Fact]
    public async Task Controller_Restarted_LearnsAssignedCidrsBeforeAllocating()
    {
        // Nodes that got their CIDRs from an earlier controller (here: by hand) keep them and are never given twice.
        await using var cluster = await StartAsync(new ControllerOptions { ClusterCidr = "10.70.0.0/23" });
        await cluster.Client.CreateAsync(KnownResources.Nodes, null, Json("""
            {"metadata":{"name":"old"},"spec":{"podCIDR":"10.70.0.0/24","podCIDRs":["10.70.0.0/24"]}}
            """), default);
        await CreateNodeAsync(cluster, "new");
        Assert.Equal("10.70.1.0/24", await WaitForCidrAsync(cluster, "new"));
        Assert.Equal("10.70.0.0/24", await PodCidrAsync(cluster, "old"));
    }

    [Theory]
    [InlineData("10.42.0.0/16", 24, 256, "10.42.0.0/24")]
    [InlineData("10.42.7.9/23", 24, 2, "10.42.6.0/24")]
    [InlineData("192.168.0.0/24", 26, 4, "192.168.0.0/26")]
    public void CidrSet_Allocate_CutsTheRangeInOrder(string cluster, int mask, int count, string first)
    {
        var set = new CidrSet(cluster, mask);
        Assert.Equal(count, set.Free);
        Assert.True(set.TryAllocate(out var cidr));
        Assert.Equal(first, cidr);
        for (var i = 1; i < count; i++)
        {
            Assert.True(set.TryAllocate(out _));
        }

        Assert.False(set.TryAllocate(out _));
        Assert.True(set.Release(first));
        Assert.True(set.TryAllocate(out var again));
        Assert.Equal(first, again);
        Assert.False(set.Occupy("10.99.0.0/24"));
    }
}
