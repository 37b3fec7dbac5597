using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Pods.Probes;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// Keeps one pod as its spec says, the way kubelet's pod worker does: a sandbox, init containers in
/// order, the containers with restarts by policy and back-off, probes, and at the end a graceful
/// stop and a clean node. One loop per pod, woken by a new spec or every <see cref="RuntimeOptions.SyncInterval"/>.
/// </summary>
public sealed partial class PodWorker : IAsyncDisposable
{
    private readonly PodContext _context;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly RestartBackoff _restarts;
    private readonly RestartBackoff _pulls;
    private readonly Dictionary<string, ContainerStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerProbes> _probes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, string Message)> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _pullRetryAt = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private volatile PodView? _pod;
    private volatile NodeDesiredState _state;
    private (string Reason, string Message)? _podProblem;
    private string? _sandboxIp;
    private string? _sandboxId;
    private DateTimeOffset? _startTime;
    private long _volumesRevision = -1;
    private string? _lastReported;
    private bool _terminal;

    /// <summary>Set by a pass that started or stopped something: the runtime is observed again before reporting.</summary>
    private bool _acted;

    /// <param name="removed">The pod is already gone from the server (an orphan found in the runtime): tear it down.</param>
    public PodWorker(PodContext context, PodView pod, NodeDesiredState state, bool removed = false)
    {
        _removed = removed;
        _context = context;
        _pod = pod;
        _state = state;
        Uid = pod.Uid;
        _restarts = new RestartBackoff(context.Options.BackoffInitial, context.Options.BackoffMax);
        _pulls = new RestartBackoff(context.Options.BackoffInitial, context.Options.BackoffMax);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public string Uid { get; }

    /// <summary>Completes when the pod is torn down (deleted, or no longer bound to this node).</summary>
    public Task Completion => _loop;

    private PodReference Reference => new(_pod?.Namespace ?? "", _pod?.Name ?? "", Uid);

    /// <summary>A newer spec or desired state; <paramref name="pod"/> null means the pod is no longer this node's.</summary>
    public void Update(PodView? pod, NodeDesiredState state)
    {
        if (pod is not null)
        {
            _pod = pod;
        }
        else
        {
            _removed = true;
        }

        _state = state;
        _wake.Release();
    }

    private volatile bool _removed;
    private volatile string? _evicted;

    /// <summary>Running, not finished, not being deleted: what the eviction loop may pick.</summary>
    public bool IsRunning => !_terminal && !_removed && _evicted is null && _sandboxIp is not null && !(_pod?.IsTerminating ?? true);

    public PodView? Pod => _pod;

    public DateTimeOffset StartedAt => _startTime ?? DateTimeOffset.MaxValue;

    /// <summary>
    /// Evicts the pod as kubelet does under pressure: containers killed at once, sandbox stopped, the
    /// pod marked Failed with reason Evicted (its controller makes a new one; the object stays).
    /// </summary>
    public void Evict(string message)
    {
        _evicted = message;
        _wake.Release();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await SyncAsync(stop))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (CriException e) when (e.IsUnavailable)
            {
                _context.Log.Warn($"pod {_pod?.FullName}: the container runtime is not answering ({e.Detail}); retrying");
            }
            catch (Exception e) when (e is CriException or IOException or UnauthorizedAccessException or FormatException)
            {
                _context.Log.Error($"pod {_pod?.FullName}: {e.Message}");
            }

            try
            {
                await _wake.WaitAsync(_context.Options.SyncInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass; true when the pod is gone from the node and the worker is done.</summary>
    private async Task<bool> SyncAsync(CancellationToken stop)
    {
        var pod = _pod!;
        var state = _state;
        var runtime = await ObserveAsync(stop);
        if (_removed || pod.IsTerminating)
        {
            await TerminateAsync(pod, runtime, confirm: !_removed, stop);
            return true;
        }

        _startTime ??= ExistingStartTime(pod) ?? _context.Time.GetUtcNow();
        if (_evicted is not null && !_terminal)
        {
            await EvictAsync(pod, runtime, stop);
            return false;
        }

        if (_terminal)
        {
            await ReportAsync(pod, runtime, stop);
            return false;
        }

        var sandbox = runtime.Latest;
        if (sandbox is null || sandbox.State != PodSandboxState.SandboxReady)
        {
            if (!await StartSandboxAsync(pod, state, sandbox, runtime, stop))
            {
                await ReportAsync(pod, runtime, stop);
                return false;
            }

            runtime = await ObserveAsync(stop);
            sandbox = runtime.Latest!;
        }
        else if ((_volumesRevision != state.Revision || _context.Time.GetUtcNow() >= _tokensRefreshAt) && !await PrepareVolumesAsync(pod, state, stop))
        {
            await ReportAsync(pod, runtime, stop);
            return false;
        }

        await EnsureSandboxFactsAsync(sandbox, stop);
        _acted = false;
        if (await SyncInitContainersAsync(pod, state, runtime, sandbox.Id, stop))
        {
            await SyncContainersAsync(pod, state, runtime, sandbox.Id, stop);
        }

        if (_acted)
        {
            runtime = await ObserveAsync(stop);
        }

        await RemoveOldInstancesAsync(pod, runtime, sandbox.Id, stop);
        await ReportAsync(pod, runtime, stop);
        if (_terminal)
        {
            // A finished pod keeps its containers (logs) but not its sandbox, as upstream.
            await _context.Cri.StopPodSandboxAsync(sandbox.Id, stop);
        }

        return false;
    }

    private static DateTimeOffset? ExistingStartTime(PodView pod) =>
        pod.Object["status"]?["startTime"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var at) ? at : null;

    /// <summary>The pod's sandboxes and containers, by its uid label; statuses fetched only for instances that changed.</summary>
    private async Task<RuntimePod> ObserveAsync(CancellationToken stop)
    {
        var selector = new Dictionary<string, string> { [CriLabels.PodUid] = Uid };
        var sandboxes = await _context.Cri.ListPodSandboxesAsync(selector, stop);
        var listed = await _context.Cri.ListContainersAsync(selector, stop);
        var containers = new List<RuntimeContainer>(listed.Count);
        foreach (var container in listed)
        {
            if (!_statuses.TryGetValue(container.Id, out var status) || status.State != container.State)
            {
                try
                {
                    status = await _context.Cri.ContainerStatusAsync(container.Id, stop);
                }
                catch (CriException e) when (e.IsNotFound)
                {
                    continue; // Removed between the list and the status.
                }

                _statuses[container.Id] = status;
            }

            containers.Add(new RuntimeContainer(
                container.Id, container.PodSandboxId, container.Metadata?.Name ?? "", container.Metadata?.Attempt ?? 0,
                container.Annotations.ContainsKey(CriLabels.InitContainer), container.State, container.CreatedAt, status));
        }

        foreach (var gone in _statuses.Keys.Where(id => listed.All(c => c.Id != id)).ToArray())
        {
            _statuses.Remove(gone);
            _probes.Remove(gone);
        }

        return new RuntimePod(sandboxes, containers);
    }

    private async Task EnsureSandboxFactsAsync(PodSandbox sandbox, CancellationToken stop)
    {
        if (_sandboxId == sandbox.Id && _sandboxIp is not null)
        {
            return;
        }

        var status = await _context.Cri.PodSandboxStatusAsync(sandbox.Id, stop);
        _sandboxId = sandbox.Id;
        _sandboxIp = _pod!.HostNetwork ? _context.Node.HostIp : status.Network?.Ip ?? "";
    }

    private PodNetworkFacts Facts()
    {
        var node = _context.Node;
        return new PodNetworkFacts(node.Name, node.HostIp, _sandboxIp ?? "", node.AllocatableCpu, node.AllocatableMemory);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _wake.Dispose();
    }
}

/// <summary>The probes of one running container instance.</summary>
internal sealed record ContainerProbes(ProbeState? Startup, ProbeState? Liveness, ProbeState? Readiness);
