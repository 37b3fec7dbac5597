using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.ApiServer.Admission;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Registry;

/// <summary>
/// What every cluster has from its first second: the namespaces default, kube-system,
/// kube-public and kube-node-lease, and the <c>default/kubernetes</c> service with its endpoints
/// pointing at this server, and the default RBAC roles and bindings. Idempotent: a restart changes nothing that is already right.
/// </summary>
public static class ClusterBootstrap
{
    public static readonly string[] SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureAsync(ObjectRegistry registry, ServiceNetwork network, string advertiseAddress, int port, CancellationToken cancellationToken)
    {
        var namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
        foreach (var name in SystemNamespaces)
        {
            await CreateIfMissingAsync(registry, namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, cancellationToken);
        }

        var services = ResourceCatalog.Find("", "v1", "services")!;
        await CreateIfMissingAsync(registry, services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = network.KubernetesServiceIp.ToString(),
                ["ports"] = new JsonArray(new JsonObject
                {
                    ["name"] = "https",
                    ["port"] = 443,
                    ["protocol"] = "TCP",
                    ["targetPort"] = port,
                }),
            },
        }, cancellationToken);

        var endpoints = ResourceCatalog.Find("", "v1", "endpoints")!;
        var subsets = new JsonArray(new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["ip"] = advertiseAddress }),
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" }),
        });
        var created = await CreateIfMissingAsync(registry, endpoints, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["labels"] = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" } },
            ["subsets"] = subsets.DeepClone(),
        }, cancellationToken);
        if (!created)
        {
            // The server may have moved (new address or port): the endpoints follow it.
            await registry.UpdateWithAsync(endpoints, "default", "kubernetes", null, current =>
            {
                current["subsets"] = subsets.DeepClone();
                return current;
            }, new WriteOptions(), cancellationToken);
        }

        await Authorization.BootstrapPolicy.EnsureAsync(registry, cancellationToken);
    }

    private static async Task<bool> CreateIfMissingAsync(ObjectRegistry registry, ResourceType resource, string? ns, JsonObject obj, CancellationToken cancellationToken)
    {
        try
        {
            await registry.CreateAsync(resource, ns, obj, new WriteOptions(), cancellationToken);
            return true;
        }
        catch (ApiException e) when (e.Status.Code == 409)
        {
            return false;
        }
    }
}
