using Edge.Agent.Channel;
using Edge.Agent.Identity;
using Edge.Agent.Logs;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.StaticPods;

namespace Edge.Agent.Run;

/// <summary>
/// What <c>edge-agent run</c> runs side by side: the node's status and heartbeat loop
/// (<see cref="AgentRunner"/>), the node channel, static pods, and the pod runtime that takes its
/// desired state from the channel and reports through it (both through the static pods' decorators).
/// Node Ready follows the runtime.
/// </summary>
public sealed class AgentServices
{
    private static readonly TimeSpan RuntimeRetry = TimeSpan.FromSeconds(30);

    private readonly NodeRuntimeOptions _runtimeOptions;
    private readonly NodeIdentity _identity;
    private readonly RunOptions _options;
    private readonly AgentLog _runtimeLog;
    private readonly TimeProvider _time;
    private volatile NodeRuntime? _runtime;
    private volatile string _runtimeProblem = "container runtime is starting";

    /// <param name="podManifestPath">The static pod manifests' directory.</param>
    public AgentServices(RunOptions options, NodeRuntimeOptions runtime, string podManifestPath, NodeIdentity identity, string agentVersion, TimeProvider time)
    {
        _options = options;
        _runtimeOptions = runtime;
        _identity = identity;
        _time = time;
        _runtimeLog = new AgentLog("Edge.Agent.Runtime", Console.Error, time);
        Runner = new AgentRunner(options, identity, new AgentLog("Edge.Agent.Run", Console.Error, time), time, ReadinessAsync);
        Channel = new NodeChannelClient(
            new GrpcNodeChannel(options.Server, () => NodeIdentity.TryLoad(options.DataDir) ?? throw new AgentException($"{options.DataDir} holds no node identity any more")),
            identity.NodeName, agentVersion, new NodeLogSource(runtime.PodLogsDir, () => _runtime?.Cri), new AgentLog("Edge.Agent.Channel", Console.Error, time), time);
        StaticPods = new StaticPodHost(
            podManifestPath, identity.NodeName, runtime.CriSocket, Channel.DesiredState, Channel.PodStatus, new AgentLog("Edge.Agent.StaticPods", Console.Error, time), time);
    }

    public AgentRunner Runner { get; }

    /// <summary>The node channel over gRPC; each stream presents the identity on disk at the time (renewals included).</summary>
    public NodeChannelClient Channel { get; }

    /// <summary>Static pods: the runtime follows the channel through its decorators.</summary>
    public StaticPodHost StaticPods { get; }

    public IDesiredStateFeed DesiredState => StaticPods.DesiredState;

    public IPodStatusSink PodStatus => StaticPods.PodStatus;

    /// <summary>Runs until <paramref name="stop"/>; every loop ends on it and retries every failure until then.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var events = new NodeApiClient(_options.Server, _identity);
        await using var recorder = new ApiEventRecorder(events, _identity.NodeName, _runtimeLog, _time);
        try
        {
            await Task.WhenAll(Runner.RunAsync(stop), Channel.RunAsync(stop), StaticPods.RunAsync(events, stop), RunRuntimeAsync(recorder, stop));
        }
        finally
        {
            if (_runtime is { } runtime)
            {
                await runtime.DisposeAsync();
            }
        }
    }

    /// <summary>Starts the pod runtime, retrying while it cannot start (containerd missing, socket taken…).</summary>
    private async Task RunRuntimeAsync(ApiEventRecorder recorder, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _runtime = await NodeRuntime.StartAsync(
                    _runtimeOptions, DesiredState, PodStatus, recorder, () => Runner.Facts,
                    () => new Runtime.Pods.PressureSignal(Runner.Pressure.Memory, Runner.Pressure.Disk), _runtimeLog, _time, stop);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Runtime.Containerd.RuntimeUnavailableException or IOException or UnauthorizedAccessException or Runtime.Images.ImageException)
            {
                _runtimeProblem = $"container runtime is down: {e.Message}";
                _runtimeLog.Error($"{e.Message}; retrying in {RuntimeRetry.TotalSeconds:0} s");
            }

            try
            {
                await Task.Delay(RuntimeRetry, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<RuntimeReadiness> ReadinessAsync(CancellationToken cancellationToken) =>
        _runtime is { } runtime ? await runtime.ReadinessAsync(cancellationToken) : new RuntimeReadiness(false, _runtimeProblem, "");
}
