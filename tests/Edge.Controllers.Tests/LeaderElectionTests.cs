using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer;
using Edge.Controllers.Leadership;
using Edge.Store.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using static Edge.Controllers.Tests.ControllerCluster;

namespace Edge.Controllers.Tests;

/// <summary>Two servers' control loops on one store: one leads, the other takes over when it stops.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private static readonly ControllerOptions Quick = new()
    {
        LeaderElection = new LeaderElectionOptions
        {
            LeaseDuration = TimeSpan.FromSeconds(1.5),
            RenewDeadline = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        },
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-leader-").FullName;
    private EmbeddedStore _store = null!;
    private ApiServices _api = null!;

    public async Task InitializeAsync()
    {
        _store = EmbeddedStore.Open(new EmbeddedStoreOptions(_dir));
        _api = new ApiServices(_store, NullLoggerFactory.Instance, TimeProvider.System);
        await _api.StartAsync("127.0.0.1", 6443, CancellationToken.None);
        await _api.Client.CreateAsync(KnownResources.Namespaces, null, Json("""{"metadata":{"name":"app"}}"""), default);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private ControllerManager Start()
    {
        var manager = new ControllerManager(_api.Client, NullLoggerFactory.Instance, TimeProvider.System, Quick);
        manager.Start();
        return manager;
    }

    private async Task<int> PodsAsync() => (await _api.Client.ListAsync(KnownResources.Pods, "app", default)).Items.Count;

    [Fact]
    public async Task TwoManagers_OneLeads_TheOtherTakesOverWhenItStops()
    {
        var first = Start();
        await using var second = Start();
        await WaitForAsync(() => Task.FromResult(first.IsLeader || second.IsLeader), "a leader");
        await Task.Delay(1000);
        Assert.True(first.IsLeader ^ second.IsLeader, "exactly one manager leads");

        // Both see the ReplicaSet; only the leader acts, so there are exactly 5 pods.
        await _api.Client.CreateAsync(KnownResources.ReplicaSets, "app", Json("""
            {"metadata":{"name":"rs"},"spec":{"replicas":5,"selector":{"matchLabels":{"a":"b"}},
             "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}
            """), default);
        await WaitForAsync(async () => await PodsAsync() == 5, "5 pods");
        await Task.Delay(500);
        Assert.Equal(5, await PodsAsync());

        var (leader, standby) = first.IsLeader ? (first, second) : (second, first);
        await leader.DisposeAsync();
        await WaitForAsync(() => Task.FromResult(standby.IsLeader), "the standby to take over", 10);

        await _api.Client.MergePatchAsync(KnownResources.ReplicaSets, "app", "rs", Json("""{"spec":{"replicas":2}}"""), null, default);
        await WaitForAsync(async () => await PodsAsync() == 2, "the new leader to scale down");
        var lease = await _api.Client.GetAsync(KnownResources.Leases, "kube-system", "edge-control-plane", default);
        Assert.Equal(1, ObjectFields.Long(lease["spec"], "leaseTransitions"));
        if (leader != first)
        {
            await first.DisposeAsync();
        }
    }
}
