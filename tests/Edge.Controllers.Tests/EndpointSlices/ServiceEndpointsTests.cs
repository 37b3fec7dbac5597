using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests.EndpointSlices;

/// <summary>A Service over pods the hollow kubelet runs: its EndpointSlice and Endpoints follow the pods.</summary>
public sealed class ServiceEndpointsTests
{
    private static JsonObject WebPod(string name) => Json($$$"""
        {"metadata":{"name":"{{{name}}}","labels":{"app":"web"}},
         "spec":{"containers":[{"name":"c","image":"nginx:1","ports":[{"name":"http","containerPort":8080}]}]}}
        """);

    private static async Task<JsonObject?> SliceAsync(ControllerCluster cluster, string service) =>
        (await cluster.ListAsync(KnownResources.EndpointSlices))
            .SingleOrDefault(s => ObjectFields.String(s.Labels(), "kubernetes.io/service-name") == service);

    private static IEnumerable<JsonObject> Endpoints(JsonObject? slice) => (slice?["endpoints"] as JsonArray ?? []).OfType<JsonObject>();

    private static bool Ready(JsonObject endpoint) => endpoint["conditions"]?["ready"]?.GetValue<bool>() == true;

    private static IEnumerable<JsonObject> Addresses(JsonObject endpoints, string field) =>
        (endpoints["subsets"] as JsonArray ?? []).SelectMany(s => (s?[field] as JsonArray ?? []).OfType<JsonObject>());

    [Fact]
    public async Task Service_SelectsPods_EndpointSliceAndEndpointsFollowPods()
    {
        await using var cluster = await StartAsync();
        var ns = cluster.Namespace;
        foreach (var name in new[] { "web-a", "web-b", "web-c" })
        {
            await cluster.Client.CreateAsync(KnownResources.Pods, ns, WebPod(name), default);
        }

        await cluster.Client.CreateAsync(KnownResources.Pods, ns, Json("""
            {"metadata":{"name":"other","labels":{"app":"db"}},"spec":{"containers":[{"name":"c","image":"db:1"}]}}
            """), default);
        var service = await cluster.Client.CreateAsync(KnownResources.Services, ns, Json("""
            {"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"name":"www","port":80,"targetPort":"http"}]}}
            """), default);

        JsonObject? slice = null;
        await WaitForAsync(async () =>
        {
            slice = await SliceAsync(cluster, "web");
            return Endpoints(slice).Count(Ready) == 3;
        }, "a slice with 3 ready endpoints");
        Assert.NotNull(slice);
        Assert.Equal("IPv4", ObjectFields.String(slice, "addressType"));
        Assert.Equal("endpointslice-controller.k8s.io", ObjectFields.String(slice!.Labels(), "endpointslice.kubernetes.io/managed-by"));
        Assert.StartsWith("web-", slice.Name());
        var owner = Assert.Single(slice["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal(service.Uid(), ObjectFields.String(owner, "uid"));
        Assert.True(owner["controller"]!.GetValue<bool>());
        Assert.True(owner["blockOwnerDeletion"]!.GetValue<bool>());
        var port = Assert.Single(slice["ports"]!.AsArray())!;
        Assert.Equal(8080, ObjectFields.Long(port, "port"));
        Assert.Equal("www", ObjectFields.String(port, "name"));
        Assert.Equal(["web-a", "web-b", "web-c"], Endpoints(slice).Select(e => ObjectFields.String(e["targetRef"], "name")).Order());
        Assert.All(Endpoints(slice), e => Assert.StartsWith("10.42.", e["addresses"]![0]!.GetValue<string>()));

        JsonObject? endpoints = null;
        await WaitForAsync(async () =>
        {
            endpoints = (await cluster.ListAsync(KnownResources.Endpoints)).SingleOrDefault(e => e.Name() == "web");
            return endpoints is not null && Addresses(endpoints, "addresses").Count() == 3;
        }, "Endpoints with 3 addresses");
        Assert.NotNull(endpoints);
        Assert.Equal("true", ObjectFields.String(endpoints!.Labels(), "endpointslice.kubernetes.io/skip-mirror"));
        var subset = Assert.Single(endpoints["subsets"]!.AsArray())!;
        Assert.Equal(8080, ObjectFields.Long(subset["ports"]![0], "port"));
        Assert.All(Addresses(endpoints, "addresses"), a => Assert.Equal("Pod", ObjectFields.String(a["targetRef"], "kind")));

        // web-b stops being ready.
        var b = await cluster.Client.GetAsync(KnownResources.Pods, ns, "web-b", default);
        b["status"]!["conditions"]![0]!["status"] = "False";
        await cluster.Client.UpdateAsync(KnownResources.Pods, b, "status", default);
        await WaitForAsync(async () =>
        {
            slice = await SliceAsync(cluster, "web");
            endpoints = await cluster.Client.GetAsync(KnownResources.Endpoints, ns, "web", default);
            return Endpoints(slice).Count(Ready) == 2 &&
                Addresses(endpoints, "notReadyAddresses").Select(a => ObjectFields.String(a["targetRef"], "name")).SequenceEqual(["web-b"]);
        }, "web-b not ready in both");
        var notReady = Endpoints(slice).Single(e => !Ready(e));
        Assert.Equal("web-b", ObjectFields.String(notReady["targetRef"], "name"));
        Assert.False(notReady["conditions"]!["serving"]!.GetValue<bool>());
        Assert.Equal(2, Addresses(endpoints!, "addresses").Count());

        // web-a is deleted.
        await cluster.Client.DeleteAsync(KnownResources.Pods, ns, "web-a", new DeleteRequest { GracePeriodSeconds = 0 }, default);
        await WaitForAsync(async () =>
        {
            slice = await SliceAsync(cluster, "web");
            endpoints = await cluster.Client.GetAsync(KnownResources.Endpoints, ns, "web", default);
            return Endpoints(slice).Count() == 2 && Addresses(endpoints, "addresses").Count() == 1;
        }, "web-a gone from both");
        Assert.DoesNotContain(Endpoints(slice), e => ObjectFields.String(e["targetRef"], "name") == "web-a");

        // Quiet: nothing is rewritten when nothing changed.
        var version = (await SliceAsync(cluster, "web"))!.ResourceVersion();
        var endpointsVersion = endpoints!.ResourceVersion();
        await Task.Delay(500);
        Assert.Equal(version, (await SliceAsync(cluster, "web"))!.ResourceVersion());
        Assert.Equal(endpointsVersion, (await cluster.Client.GetAsync(KnownResources.Endpoints, ns, "web", default)).ResourceVersion());

        await cluster.Client.DeleteAsync(KnownResources.Services, ns, "web", DeleteRequest.Default, default);
        await WaitForAsync(async () =>
            await SliceAsync(cluster, "web") is null && !(await cluster.ListAsync(KnownResources.Endpoints)).Any(e => e.Name() == "web"),
            "slice and Endpoints deleted with the Service");
    }

    [Fact]
    public async Task Service_PublishNotReadyAddresses_NotReadyPodsAreReady()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, WebPod("web-a"), default);
        await cluster.Client.CreateAsync(KnownResources.Services, cluster.Namespace, Json("""
            {"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"publishNotReadyAddresses":true,"ports":[{"port":80,"targetPort":9000}]}}
            """), default);
        await WaitForAsync(async () => Endpoints(await SliceAsync(cluster, "web")).Count(Ready) == 1, "one ready endpoint");
        var a = await cluster.Client.GetAsync(KnownResources.Pods, cluster.Namespace, "web-a", default);
        a["status"]!["conditions"]![0]!["status"] = "False";
        await cluster.Client.UpdateAsync(KnownResources.Pods, a, "status", default);
        await Task.Delay(500);
        var slice = await SliceAsync(cluster, "web");
        Assert.True(Ready(Assert.Single(Endpoints(slice))));
        Assert.Equal(9000, ObjectFields.Long(slice!["ports"]![0], "port"));
        var endpoints = await cluster.Client.GetAsync(KnownResources.Endpoints, cluster.Namespace, "web", default);
        Assert.Single(Addresses(endpoints, "addresses"));
        Assert.Empty(Addresses(endpoints, "notReadyAddresses"));
    }

    [Fact]
    public async Task Service_WithoutSelectorOrExternalName_GetsNothing()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CreateAsync(KnownResources.Pods, cluster.Namespace, WebPod("web-a"), default);
        await cluster.Client.CreateAsync(KnownResources.Services, cluster.Namespace, Json("""
            {"metadata":{"name":"manual"},"spec":{"ports":[{"port":80}]}}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.Endpoints, cluster.Namespace, Json("""
            {"metadata":{"name":"manual"},"subsets":[{"addresses":[{"ip":"192.168.1.9"}],"ports":[{"port":80}]}]}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.Services, cluster.Namespace, Json("""
            {"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com","selector":{"app":"web"}}}
            """), default);
        await cluster.Client.CreateAsync(KnownResources.Services, cluster.Namespace, Json("""
            {"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}
            """), default);
        await WaitForAsync(async () => Endpoints(await SliceAsync(cluster, "web")).Any(), "the selecting service served");

        Assert.Null(await SliceAsync(cluster, "manual"));
        Assert.Null(await SliceAsync(cluster, "ext"));
        var names = (await cluster.ListAsync(KnownResources.Endpoints)).Select(e => e.Name()).Order().ToList();
        Assert.Equal(["manual", "web"], names);
        var manual = await cluster.Client.GetAsync(KnownResources.Endpoints, cluster.Namespace, "manual", default);
        Assert.Equal("192.168.1.9", Addresses(manual, "addresses").Single()["ip"]!.GetValue<string>());
        var kubernetes = await cluster.Client.GetAsync(KnownResources.Endpoints, "default", "kubernetes", default);
        Assert.Null(kubernetes["subsets"]![0]!["addresses"]![0]!["targetRef"]);
    }
}
