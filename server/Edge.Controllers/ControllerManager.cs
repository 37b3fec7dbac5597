using Edge.Api.Clients;
using Edge.Controllers.CronJobs;
using Edge.Controllers.DaemonSets;
using Edge.Controllers.Deployments;
using Edge.Controllers.GarbageCollection;
using Edge.Controllers.Informers;
using Edge.Controllers.Jobs;
using Edge.Controllers.NodeLifecycle;
using Edge.Controllers.ReplicaSets;
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

    private readonly NodeLifecycleController _nodeLifecycle;

    public ControllerManager(IClusterClient client, ILoggerFactory loggers, TimeProvider time, ControllerOptions? options = null)
    {
        options ??= new ControllerOptions();
        Informers = new InformerSet(client, loggers, time);
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
        ];
    }

    public InformerSet Informers { get; }

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
            await Task.WhenAll(_controllers.Select(c => c.RunAsync(token))
                .Append(_nodeLifecycle.MonitorAsync(token))
                .Concat(alsoRun.Select(run => Task.Run(() => run(token), CancellationToken.None))));
        }, CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
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
