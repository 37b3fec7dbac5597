using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.ClusterRoleAggregation;

public sealed class ClusterRoleAggregationTests
{
    private static async Task<JsonArray> RulesAsync(ControllerCluster cluster, string name) =>
        (await cluster.Client.GetAsync(KnownResources.ClusterRoles, null, name, default))["rules"] as JsonArray ?? [];

    private static bool Grants(JsonArray rules, string resource) =>
        rules.Any(r => r!["resources"] is JsonArray resources && resources.Any(x => x!.GetValue<string>() == resource));

    [Fact]
    public async Task DefaultRoles_ViewIntoEditIntoAdmin()
    {
        await using var cluster = await StartAsync();

        await WaitForAsync(async () => Grants(await RulesAsync(cluster, "view"), "pods/log"), "view aggregated", 10);
        await WaitForAsync(async () =>
        {
            var admin = await RulesAsync(cluster, "admin");
            // admin has its own rules, edit's and (through edit) view's.
            return Grants(admin, "rolebindings") && Grants(admin, "secrets") && Grants(admin, "pods/log");
        }, "admin aggregated from edit and view", 10);
        Assert.False(Grants(await RulesAsync(cluster, "view"), "secrets"));
    }

    [Fact]
    public async Task LabelledRole_AddedAndRemoved_FollowsIntoTheAggregate()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(KnownResources.ClusterRoles, null, Json("""
            {"metadata":{"name":"team-agg"},"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"team":"a"}}]}}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.ClusterRoles, null, Json("""
            {"metadata":{"name":"team-a-widgets","labels":{"team":"a"}},"rules":[{"verbs":["get"],"apiGroups":["example.com"],"resources":["widgets"]}]}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.ClusterRoles, null, Json("""
            {"metadata":{"name":"team-b","labels":{"team":"b"}},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}]}
            """), default);

        await WaitForAsync(async () => Grants(await RulesAsync(cluster, "team-agg"), "widgets"), "rules aggregated", 10);
        Assert.False(Grants(await RulesAsync(cluster, "team-agg"), "nodes"));

        await cluster.Client.DeleteAsync(KnownResources.ClusterRoles, null, "team-a-widgets", DeleteRequest.Default, default);
        await WaitForAsync(async () => (await RulesAsync(cluster, "team-agg")).Count == 0, "rules of the deleted role dropped", 10);
    }
}
