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

    /// <summary>How long after start-up (runtime up, first status reported) its pages are handed back.</summary>
    public static readonly TimeSpan StartupSettle = TimeSpan.FromSeconds(5);

    /// <summary>How often a full, compacting collection gives the heap's garbage back to the system.</summary>
    public static readonly TimeSpan FullCollectionInterval = TimeSpan.FromMinutes(2);

    private readonly NodeRuntimeOptions _runtimeOptions;
    private readonly NodeIdentity _identity;
    private readonly RunOptions _options;
    private readonly AgentLog _runtimeLog;
    private readonly TimeProvider _time;
    private volatile NodeRuntime? _runtime;
    private volatile string _runtimeProblem = "container runtime is starting";
    private readonly TaskCompletionSource _runtimeStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        // Follows certificate renewals (AgentRunner writes them to disk).
        using var events = new NodeApiClients(_options.Server, _options.DataDir, _identity, _time);
        await using var recorder = new ApiEventRecorder(events, _identity.NodeName, _runtimeLog, _time);
        try
        {
            await Task.WhenAll(
                Runner.RunAsync(stop), Channel.RunAsync(stop), StaticPods.RunAsync(events, stop), RunRuntimeAsync(recorder, new ApiTokenSource(events), stop), ManageMemoryAsync(stop));
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
    private async Task RunRuntimeAsync(ApiEventRecorder recorder, ApiTokenSource tokens, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _runtime = await NodeRuntime.StartAsync(
                    _runtimeOptions, DesiredState, PodStatus, recorder, () => Runner.Facts,
                    () => new Runtime.Pods.PressureSignal(Runner.Pressure.Memory, Runner.Pressure.Disk), _runtimeLog, _time, stop, tokens);
                _runtimeStarted.TrySetResult();
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

    /// <summary>
    /// Once the agent is up, hands back the binary and library pages only start-up needed (see
    /// <see cref="Edge.Native.WorkingSet"/>): on a device the agent's resident memory is what the
    /// pods cannot have. Once only: what the running agent needs comes back in and stays.
    /// Then, as Go's runtime does for a kubelet (a forced collection at least every two minutes),
    /// a full compacting collection every <see cref="FullCollectionInterval"/>: with gen0 kept
    /// small, what survives it dies in gen2, which is otherwise collected only once its budget is
    /// spent (measured: anonymous memory of the idle agent 6.0 → 7.5 MB over ten minutes).
    /// </summary>
    private async Task ManageMemoryAsync(CancellationToken stop)
    {
        try
        {
            await Task.WhenAll(_runtimeStarted.Task, Runner.Reported).WaitAsync(stop);
            await Task.Delay(StartupSettle, _time, stop);
            var release = Edge.Native.WorkingSet.ReleaseFilePages();
            _runtimeLog.Info(release.Supported
                ? $"released start-up pages: resident {Mb(release.Before.Total)} → {Mb(release.After.Total)} MB (files {Mb(release.Before.File)} → {Mb(release.After.File)} MB, {release.Mappings} mappings)"
                : $"this kernel cannot page out start-up pages (MADV_PAGEOUT needs Linux 5.4); resident {Mb(release.After.Total)} MB");
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(FullCollectionInterval, _time, stop);
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<RuntimeReadiness> ReadinessAsync(CancellationToken cancellationToken) =>
        _runtime is { } runtime ? await runtime.ReadinessAsync(cancellationToken) : new RuntimeReadiness(false, _runtimeProblem, "");
}
