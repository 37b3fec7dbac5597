using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;
using Edge.Scheduler.Plugins;
using Edge.Scheduler.Queue;

namespace Edge.Scheduler;

/// <summary>The outcome of one scheduling cycle.</summary>
/// <param name="NodeName">The node the pod was assumed on and is being bound to; null when it fits nowhere.</param>
/// <param name="FailureMessage">Upstream's "0/N nodes are available: …" when it fits nowhere.</param>
/// <param name="NominatedNodeName">Where it preempted pods, if it did.</param>
/// <param name="Completion">Binding and reporting (or eviction and reporting), which run after the cycle.</param>
public sealed record SchedulingAttempt(PodRef Pod, string? NodeName, string? FailureMessage, string? NominatedNodeName, Task Completion);

public sealed partial class PodScheduler
{
    const string NoNodesAvailable = "no nodes available to schedule pods";
    const int MinFeasibleNodesToFind = 100;
    const int MinFeasibleNodesPercentageToFind = 5;

    readonly IFilterPlugin[] _filters;
    readonly IPreFilterPlugin[] _preFilters;
    readonly IPreFilterExtensions[] _extensions;
    readonly IScorePlugin[] _scorers;
    readonly List<NodeInfo> _feasible = [];
    readonly List<(NodeInfo Node, Status Status)> _failed = [];
    long[] _scores = [];
    long[] _totals = [];
    int _nextStartNodeIndex;

    /// <summary>
    /// Schedules the next active pod, if any: picks a node and starts binding, or reports why it
    /// fits nowhere (preempting lower-priority pods where that helps). Returns null when no pod
    /// is ready. The cycle runs synchronously; binding continues in <see cref="SchedulingAttempt.Completion"/>.
    /// </summary>
    public SchedulingAttempt? ScheduleOne(CancellationToken cancellationToken = default)
    {
        QueuedPod queued;
        SchedulingPod pod;
        lock (_gate)
        {
            if (_queue.Pop() is not { } next)
                return null;
            queued = next;
            pod = queued.Pod;
            var state = new CycleState();
            var chosen = FindNode(state, pod);
            if (chosen is not null)
            {
                ClearNomination(pod.Key);
                _cluster.AddOrUpdatePod(pod.WithNodeName(chosen.Name));
                _assumed.Add(pod.Key);
                _queue.Done(queued);
                // The assumed pod may be what a pod waiting on affinity or spread needs.
                _queue.MoveAllUnschedulable(podAdded: true);
                SchedulerLog.Scheduled(_logger, pod.Key, chosen.Name, _feasible.Count, _feasible.Count + _failed.Count);
                var binding = BindAsync(queued, pod, chosen.Name, cancellationToken);
                return new SchedulingAttempt(pod.Ref, chosen.Name, null, null, binding);
            }

            var fitMessage = FailureMessage(_cluster.Nodes.Count, _failed);
            var (postFilterMessage, preemption) = Preempt(state, pod);
            var message = postFilterMessage is null ? fitMessage : fitMessage + " " + postFilterMessage;
            _queue.AddUnschedulable(queued, _failed.Exists(f => f.Status.Reasons.Any(WaitsForPods)));
            SchedulerLog.Unschedulable(_logger, pod.Key, message);
            var nominated = preemption?.Node.Name;
            var completion = ReportFailureAsync(pod, message, preemption, cancellationToken);
            return new SchedulingAttempt(pod.Ref, null, message, nominated, completion);
        }
    }

    static bool WaitsForPods(string reason) =>
        reason.StartsWith(TopologySpreadPlugin.Reason, StringComparison.Ordinal) || reason is InterPodAffinityPlugin.AffinityReason;

    /// <summary>Filters nodes from a rotating start until enough fit, then scores those; null when none fits (failures in <see cref="_failed"/>).</summary>
    NodeInfo? FindNode(CycleState state, SchedulingPod pod)
    {
        _feasible.Clear();
        _failed.Clear();
        var nodes = _cluster.Nodes;
        if (nodes.Count == 0)
            return null;
        foreach (var plugin in _preFilters)
            plugin.PreFilter(state, pod, _cluster);

        // A pod that preempted pods goes back to its nominated node when that fits.
        var nominated = _nominated.GetValueOrDefault(pod.Key) ?? pod.NominatedNodeName;
        if (nominated.Length > 0 && _cluster.Node(nominated) is { } nominatedNode && RunFilters(state, pod, nominatedNode).IsSuccess)
            return nominatedNode;

        var toFind = NumFeasibleNodesToFind(nodes.Count);
        var processed = 0;
        for (var i = 0; i < nodes.Count && _feasible.Count < toFind; i++)
        {
            var node = nodes[(_nextStartNodeIndex + i) % nodes.Count];
            processed++;
            var status = RunFilters(state, pod, node);
            if (status.IsSuccess)
                _feasible.Add(node);
            else
                _failed.Add((node, status));
        }
        _nextStartNodeIndex = (_nextStartNodeIndex + processed) % nodes.Count;
        return _feasible.Count switch
        {
            0 => null,
            1 => _feasible[0],
            _ => SelectHost(state, pod),
        };
    }

    Status RunFilters(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        foreach (var filter in _filters)
        {
            var status = filter.Filter(state, pod, node);
            if (!status.IsSuccess)
                return status;
        }
        return Status.Success;
    }

    /// <summary>Upstream's adaptive percentageOfNodesToScore: all of a small cluster, a shrinking share (at least 100 nodes) of a large one.</summary>
    internal int NumFeasibleNodesToFind(int nodes)
    {
        if (nodes < MinFeasibleNodesToFind)
            return nodes;
        var percentage = _options.PercentageOfNodesToScore;
        if (percentage <= 0)
            percentage = Math.Max(MinFeasibleNodesPercentageToFind, 50 - nodes / 125);
        if (percentage >= 100)
            return nodes;
        return Math.Max(MinFeasibleNodesToFind, nodes * percentage / 100);
    }

    NodeInfo SelectHost(CycleState state, SchedulingPod pod)
    {
        var count = _feasible.Count;
        if (_scores.Length < count)
        {
            _scores = new long[count];
            _totals = new long[count];
        }
        var totals = _totals.AsSpan(0, count);
        totals.Clear();
        var scores = _scores.AsSpan(0, count);
        foreach (var plugin in _scorers)
        {
            if (!plugin.PreScore(state, pod, _feasible, _cluster))
                continue;
            for (var i = 0; i < count; i++)
                scores[i] = plugin.Score(state, pod, _feasible[i]);
            plugin.Normalize(state, scores);
            for (var i = 0; i < count; i++)
                totals[i] += scores[i] * plugin.Weight;
        }

        // Reservoir sampling among the best, so ties spread instead of piling on the first node.
        var best = 0;
        var ties = 1;
        for (var i = 1; i < count; i++)
        {
            if (totals[i] > totals[best])
            {
                best = i;
                ties = 1;
            }
            else if (totals[i] == totals[best] && _random.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return _feasible[best];
    }

    /// <summary>Upstream FitError: "0/N nodes are available: " and "count reason" pairs sorted as text.</summary>
    internal static string FailureMessage(int nodes, IEnumerable<(NodeInfo Node, Status Status)> failures)
    {
        if (nodes == 0)
            return NoNodesAvailable;
        var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, status) in failures)
        {
            foreach (var reason in status.Reasons)
                histogram[reason] = histogram.GetValueOrDefault(reason) + 1;
        }
        var parts = histogram.Select(kv => $"{kv.Value} {kv.Key}").Order(StringComparer.Ordinal);
        var message = $"0/{nodes} nodes are available";
        return histogram.Count == 0 ? message + "." : $"{message}: {string.Join(", ", parts)}.";
    }

    async Task BindAsync(QueuedPod queued, SchedulingPod pod, string nodeName, CancellationToken cancellationToken)
    {
        try
        {
            await _binder.BindAsync(pod.Ref, nodeName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            SchedulerLog.BindFailed(_logger, pod.Key, nodeName, e.Message);
            lock (_gate)
            {
                // Forget the assumption unless the pod went away (or got bound elsewhere) meanwhile.
                if (_assumed.Remove(pod.Key))
                {
                    _cluster.RemovePod(pod.Key);
                    _queue.Requeue(queued);
                    _queue.MoveAllUnschedulable();
                }
            }
            return;
        }
        await ReportAsync(pod, r => r.ScheduledAsync(pod.Ref, nodeName, $"Successfully assigned {pod.Key} to {nodeName}", cancellationToken)).ConfigureAwait(false);
    }

    async Task ReportAsync(SchedulingPod pod, Func<ISchedulingReporter, Task> report)
    {
        try
        {
            await report(_reporter).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SchedulerLog.ReportFailed(_logger, pod.Key, e.Message);
        }
    }
}
