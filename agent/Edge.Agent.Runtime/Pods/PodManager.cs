using Edge.Agent.Network.Cni;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// Turns the node's desired state into pod workers: one per pod bound here, a terminating one for
/// each pod the runtime still has but the server no longer gives this node (only once the first
/// snapshot arrived — before that nothing is known, and a rebooted device keeps its pods).
/// Writes the CNI config when the node's pod CIDR is known.
/// </summary>
public sealed class PodManager(PodContext context, IDesiredStateFeed feed, CniNetworkConfigFactory network) : IAsyncDisposable
{
    private readonly Dictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    /// <summary>Pods torn down while still listed as terminating: not restarted while the server catches up.</summary>
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private static readonly TimeSpan EvictionInterval = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private DateTimeOffset _lastEviction = DateTimeOffset.MinValue;
    private Task? _loop;

    public int RunningWorkers
    {
        get
        {
            lock (_workers)
            {
                return _workers.Count;
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken stop)
    {
        NodeDesiredState? seen = null;
        var orphansChecked = false;
        while (!stop.IsCancellationRequested)
        {
            NodeDesiredState state;
            try
            {
                // Re-check for orphans every few seconds even without news from the server.
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop);
                tick.CancelAfter(TimeSpan.FromSeconds(10));
                state = await feed.NextAsync(seen, tick.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                state = feed.Current ?? NodeDesiredState.Empty;
                if (feed.Current is null)
                {
                    continue;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var changed = !ReferenceEquals(state, seen);
                seen = state;
                if (changed)
                {
                    Apply(state);
                    WriteNetwork(state);
                }

                if (changed || !orphansChecked)
                {
                    await StopOrphansAsync(state, stop);
                    orphansChecked = true;
                }

                Reap();
                EvictIfUnderPressure();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (CriException e)
            {
                context.Log.Warn($"could not list the runtime's pods: {e.Message}");
            }
        }
    }

    private void Apply(NodeDesiredState state)
    {
        lock (_workers)
        {
            foreach (var (uid, pod) in state.Pods)
            {
                PodView view;
                try
                {
                    view = PodView.Parse(pod);
                }
                catch (FormatException e)
                {
                    context.Log.Error($"pod {uid} cannot be run: {e.Message}");
                    continue;
                }

                if (_workers.TryGetValue(uid, out var worker))
                {
                    worker.Update(view, state);
                }
                else if (!_finished.Contains(uid))
                {
                    _workers[uid] = new PodWorker(context, view, state);
                }
            }

            foreach (var (uid, worker) in _workers)
            {
                if (!state.Pods.ContainsKey(uid))
                {
                    worker.Update(null, state);
                }
            }

            _finished.IntersectWith(state.Pods.Keys);
        }
    }

    /// <summary>Sandboxes this agent made for pods the server no longer gives it: a worker tears each down.</summary>
    private async Task StopOrphansAsync(NodeDesiredState state, CancellationToken stop)
    {
        var managed = new Dictionary<string, string> { [CriLabels.ManagedBy] = CriLabels.ManagedByValue };
        var sandboxes = await context.Cri.ListPodSandboxesAsync(managed, stop);
        lock (_workers)
        {
            foreach (var sandbox in sandboxes)
            {
                var uid = sandbox.Labels.GetValueOrDefault(CriLabels.PodUid);
                if (uid is null || state.Pods.ContainsKey(uid) || _workers.ContainsKey(uid))
                {
                    continue;
                }

                context.Log.Info($"pod {sandbox.Metadata?.Namespace}/{sandbox.Metadata?.Name} ({uid}) is no longer bound to this node; removing it");
                _workers[uid] = new PodWorker(context, OrphanView(sandbox), state, removed: true);
            }
        }
    }

    /// <summary>What is known of a pod from its sandbox alone: enough to stop and remove it.</summary>
    private static PodView OrphanView(PodSandbox sandbox)
    {
        var pod = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = sandbox.Metadata?.Name ?? sandbox.Labels.GetValueOrDefault(CriLabels.PodName) ?? "unknown",
                ["namespace"] = sandbox.Metadata?.Namespace ?? sandbox.Labels.GetValueOrDefault(CriLabels.PodNamespace) ?? "default",
                ["uid"] = sandbox.Labels[CriLabels.PodUid],
            },
            ["spec"] = new System.Text.Json.Nodes.JsonObject { ["containers"] = new System.Text.Json.Nodes.JsonArray() },
        };
        return PodView.Parse(pod);
    }

    /// <summary>Under memory or disk pressure, one pod per pass (at most every 10 s), as kubelet's eviction manager.</summary>
    private void EvictIfUnderPressure()
    {
        var pressure = context.Pressure;
        var now = context.Time.GetUtcNow();
        if (!pressure.Any || now - _lastEviction < EvictionInterval)
        {
            return;
        }

        PodWorker? victim;
        lock (_workers)
        {
            var running = _workers.Values.Where(w => w.IsRunning && w.Pod is not null).ToDictionary(w => w.Pod!, w => w);
            victim = EvictionOrder.Rank(running.Select(r => (r.Key, r.Value.StartedAt))).Select(p => running[p]).FirstOrDefault();
        }

        if (victim is not null)
        {
            _lastEviction = now;
            victim.Evict($"The node was low on resource: {pressure.Resource}. ");
        }
    }

    private void Reap()
    {
        lock (_workers)
        {
            foreach (var (uid, worker) in _workers.Where(w => w.Value.Completion.IsCompleted).ToArray())
            {
                _workers.Remove(uid);
                _finished.Add(uid);
            }
        }
    }

    private void WriteNetwork(NodeDesiredState state)
    {
        if (state.PodCidr is not { Length: > 0 } cidr)
        {
            return;
        }

        if (network.Create(cidr).WriteTo(network.ConfDir))
        {
            context.Log.Info($"pod network: {cidr} on bridge {network.BridgeName} (CNI config {network.ConfDir})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        PodWorker[] workers;
        lock (_workers)
        {
            workers = _workers.Values.ToArray();
            _workers.Clear();
        }

        // The agent stops; the pods do not: their containers keep running without it.
        foreach (var worker in workers)
        {
            await worker.DisposeAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>The node's CNI settings that do not change with the pod CIDR.</summary>
public sealed record CniNetworkConfigFactory(string ConfDir, string BridgeName, string IpamDataDir)
{
    public CniNetworkConfig Create(string podCidr) => new(BridgeName, podCidr, IpamDataDir);
}
