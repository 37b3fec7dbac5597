using Edge.Api.Clients;
using Edge.Controllers.ClusterRoleAggregation;
using Edge.Controllers.CronJobs;
using Edge.Controllers.DaemonSets;
using Edge.Controllers.Deployments;
using Edge.Controllers.Endpoints;
using Edge.Controllers.EndpointSlices;
using Edge.Controllers.GarbageCollection;
using Edge.Controllers.Informers;
using Edge.Controllers.Jobs;
using Edge.Controllers.Leadership;
using Edge.Controllers.NodeIpam;
using Edge.Controllers.NodeLifecycle;
using Edge.Controllers.PodGarbageCollection;
using Edge.Controllers.ReplicaSets;
using Edge.Controllers.ServiceAccounts;
using Edge.Controllers.StatefulSets;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers;

/// <summary>
/// Runs every control loop over one set of shared informers: the informers first, the loops once
/// every cache holds its first list (so no loop acts on a half-known world).
/// </summary>
public sealed class ControllerManager : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Controller> _controllers;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private int _disposed;

    private readonly NodeLifecycleController _nodeLifecycle;
    private readonly LeaderElector _elector;

    public ControllerManager(IClusterClient client, ILoggerFactory loggers, TimeProvider time, ControllerOptions? options = null)
    {
        options ??= new ControllerOptions();
        Informers = new InformerSet(client, loggers, time);
        _elector = new LeaderElector(client, options.LeaderElection, loggers.CreateLogger("leader-election"), time);
        _nodeLifecycle = new NodeLifecycleController(Informers, options, loggers, time);
        _controllers =
        [
            new ReplicaSetController(Informers, loggers, time),
            new DeploymentController(Informers, loggers, time),
            new GarbageCollector(Informers, loggers, time),
            _nodeLifecycle,
            new TaintEvictionController(Informers, loggers, time),
            new JobController(Informers, loggers, time, options.Jobs),
            new DaemonSetController(Informers, loggers, time),
            new StatefulSetController(Informers, loggers, time),
            new CronJobController(Informers, loggers, time),
            new EndpointSliceController(Informers, loggers, time),
            new EndpointsController(Informers, loggers, time),
            new ServiceAccountController(Informers, loggers, time),
            new PodGcController(Informers, options, loggers, time),
            new NodeIpamController(Informers, options, loggers, time),
            new ClusterRoleAggregationController(Informers, loggers, time),
            .. options.RootCaBundle is { } bundle ? [new RootCaPublisher(Informers, bundle, loggers, time)] : Array.Empty<Controller>(),
        ];
    }

    public InformerSet Informers { get; }

    /// <summary>Whether this process holds the control-plane lease and runs the loops.</summary>
    public bool IsLeader => _elector.IsLeader;

    /// <summary>Completes when the caches are filled and the loops run.</summary>
    public Task Ready => _ready.Task;

    /// <param name="alsoRun">More loops on the same informers (the scheduler), started with the controllers.</param>
    public void Start(params Func<CancellationToken, Task>[] alsoRun)
    {
        var token = _stop.Token;
        var informers = Informers.RunAsync(token);
        _running = Task.WhenAll(informers, Task.Run(async () =>
        {
            await Informers.Synced().WaitAsync(token);
            _ready.TrySetResult();
            // The caches stay warm on a standby; only the lease holder acts on them.
            await _elector.RunAsync(leading => Task.WhenAll(_controllers.Select(c => c.RunAsync(leading))
                .Append(_nodeLifecycle.MonitorAsync(leading))
                .Concat(alsoRun.Select(run => Task.Run(() => run(leading), CancellationToken.None)))), token);
        }, CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (var controller in _controllers)
        {
            controller.Dispose();
        }

        _stop.Dispose();
    }
}
