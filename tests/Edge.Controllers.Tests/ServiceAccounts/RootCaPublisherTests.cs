using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.ServiceAccounts;

/// <summary>kube-root-ca.crt in every namespace: made, put back when deleted or edited, not made in a namespace being deleted.</summary>
public sealed class RootCaPublisherTests
{
    private const string Bundle = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";

    private static async Task<JsonObject?> RootCaAsync(ControllerCluster cluster, string ns)
    {
        try
        {
            return await cluster.Client.GetAsync(KnownResources.ConfigMaps, ns, "kube-root-ca.crt", default);
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return null;
        }
    }

    private static async Task<bool> HoldsTheBundleAsync(ControllerCluster cluster, string ns) =>
        await RootCaAsync(cluster, ns) is { } configMap &&
        configMap["data"] is JsonObject data && data.Count == 1 && data["ca.crt"]?.GetValue<string>() == Bundle &&
        configMap["metadata"]?["annotations"]?["kubernetes.io/description"] is not null;

    [Fact]
    public async Task EveryNamespace_GetsTheBundle_AndItComesBackAfterADeleteOrAnEdit()
    {
        await using var cluster = await StartAsync(new ControllerOptions { RootCaBundle = Bundle });
        await WaitForAsync(() => HoldsTheBundleAsync(cluster, cluster.Namespace), "kube-root-ca.crt in the test namespace", 10);
        Assert.True(await HoldsTheBundleAsync(cluster, "kube-system"));
        Assert.True(await HoldsTheBundleAsync(cluster, "default"));

        await cluster.Client.CreateAsync(KnownResources.Namespaces, null, Json("""{"metadata":{"name":"fresh"}}"""), default);
        await WaitForAsync(() => HoldsTheBundleAsync(cluster, "fresh"), "kube-root-ca.crt in a new namespace", 10);

        var before = (await RootCaAsync(cluster, "fresh"))!["metadata"]!["uid"]!.GetValue<string>();
        await cluster.Client.DeleteAsync(KnownResources.ConfigMaps, "fresh", "kube-root-ca.crt", DeleteRequest.Default, default);
        await WaitForAsync(async () => await HoldsTheBundleAsync(cluster, "fresh") &&
            (await RootCaAsync(cluster, "fresh"))!["metadata"]!["uid"]!.GetValue<string>() != before, "kube-root-ca.crt recreated", 10);

        await cluster.PatchAsync(KnownResources.ConfigMaps, "fresh", "kube-root-ca.crt", """{"data":{"ca.crt":"forged","extra":"x"}}""");
        await WaitForAsync(() => HoldsTheBundleAsync(cluster, "fresh"), "kube-root-ca.crt restored after an edit", 10);
    }

    [Fact]
    public async Task WithoutABundle_NothingIsPublished()
    {
        await using var cluster = await StartAsync();
        // The serviceaccount controller's default account shows that the loops have seen the namespace.
        await WaitForAsync(async () =>
        {
            try
            {
                await cluster.Client.GetAsync(KnownResources.ServiceAccounts, cluster.Namespace, "default", default);
                return true;
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                return false;
            }
        }, "the default ServiceAccount", 10);

        Assert.Null(await RootCaAsync(cluster, cluster.Namespace));
    }
}
