using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Controllers.Tests.Informers;

/// <summary>
/// The informer keeps objects frozen and hands out trees of the reader's own: what one reader or
/// handler does to its tree never reaches the cache, other readers or later events.
/// </summary>
public sealed class InformerTests
{
    private static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;

    [Fact]
    public async Task Readers_GetTreesOfTheirOwn_AndTheCacheFollowsTheApi()
    {
        await using var cluster = await ControllerCluster.StartAsync();
        var informer = new Informer(cluster.Client, ConfigMaps, NullLogger.Instance, TimeProvider.System);
        var seen = new List<(string Kind, JsonObject? Old, JsonObject Current)>();
        informer.AddHandler(new InformerHandler(
            added: o =>
            {
                lock (seen)
                {
                    seen.Add(("added", null, o));
                }

                // A careless handler: the next reader must not see this.
                o.Metadata()["labels"] = new JsonObject { ["touched"] = "yes" };
            },
            updated: (old, o) =>
            {
                lock (seen)
                {
                    seen.Add(("updated", old, o));
                }
            }));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10));

        await cluster.Client.CreateAsync(ConfigMaps, cluster.Namespace,
            ControllerCluster.Json($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"{{{cluster.Namespace}}}"},"data":{"k":"v1"}}"""), default);
        await ControllerCluster.WaitForAsync(() => Task.FromResult(informer.Get(cluster.Namespace, "cm") is not null), "the informer to see the config map");

        var first = informer.Get(cluster.Namespace, "cm")!;
        Assert.Null(first.Labels());
        first["data"]!["k"] = "changed by a reader";
        Assert.Equal("v1", informer.Get(cluster.Namespace, "cm")!["data"]!["k"]!.GetValue<string>());
        Assert.Equal("v1", informer.List(cluster.Namespace).Single()["data"]!["k"]!.GetValue<string>());
        Assert.Empty(informer.List("no-such-namespace"));

        var updated = await cluster.Client.MergePatchAsync(ConfigMaps, cluster.Namespace, "cm",
            ControllerCluster.Json("""{"data":{"k":"v2"}}"""), null, default);
        // The cache takes a change before its handlers hear of it: wait for the handler.
        await ControllerCluster.WaitForAsync(() =>
        {
            lock (seen)
            {
                return Task.FromResult(seen.Any(e => e.Kind == "updated" && e.Current.Namespace() == cluster.Namespace));
            }
        }, "the handler to hear of the update");
        Assert.Equal(updated.ResourceVersion(), informer.Get(cluster.Namespace, "cm")!.ResourceVersion());

        lock (seen)
        {
            var added = seen.Single(e => e.Kind == "added" && e.Current.Namespace() == cluster.Namespace);
            var change = seen.Single(e => e.Kind == "updated" && e.Current.Namespace() == cluster.Namespace);
            Assert.Null(change.Old!.Labels());
            Assert.Equal("v1", change.Old!["data"]!["k"]!.GetValue<string>());
            Assert.Equal("v2", change.Current["data"]!["k"]!.GetValue<string>());
            Assert.Equal(updated.ResourceVersion(), change.Current.ResourceVersion());
            Assert.NotSame(added.Current, change.Old);
        }

        await stop.CancelAsync();
        await run;
    }
}
