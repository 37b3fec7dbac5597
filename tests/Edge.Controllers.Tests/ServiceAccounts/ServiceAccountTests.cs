using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.ServiceAccounts;

public sealed class ServiceAccountTests
{
    private static async Task<bool> HasDefaultAsync(ControllerCluster cluster, string ns)
    {
        try
        {
            await cluster.Client.GetAsync(KnownResources.ServiceAccounts, ns, "default", default);
            return true;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return false;
        }
    }

    [Fact]
    public async Task Namespace_Created_GetsDefaultServiceAccountBackAfterDeletion()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(KnownResources.Namespaces, null, Json("""{"metadata":{"name":"fresh"}}"""), default);
        await WaitForAsync(() => HasDefaultAsync(cluster, "fresh"), "default ServiceAccount in the new namespace", 10);
        Assert.True(await HasDefaultAsync(cluster, "kube-system"));

        var before = await cluster.Client.GetAsync(KnownResources.ServiceAccounts, "fresh", "default", default);
        await cluster.Client.DeleteAsync(KnownResources.ServiceAccounts, "fresh", "default", DeleteRequest.Default, default);
        await WaitForAsync(async () => await HasDefaultAsync(cluster, "fresh") &&
            (await cluster.Client.GetAsync(KnownResources.ServiceAccounts, "fresh", "default", default))["metadata"]!["uid"]!.GetValue<string>() !=
            before["metadata"]!["uid"]!.GetValue<string>(), "default ServiceAccount recreated", 10);
    }
}
