using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;

namespace Edge.Scheduler;

public sealed partial class PodScheduler
{
    const string NotHelpful = "Preemption is not helpful for scheduling";
    const string NoVictims = "No preemption victims found for incoming pod";
    const int MinCandidateNodesPercentage = 10;
    const int MinCandidateNodesAbsolute = 100;

    /// <summary>Where preemption makes room: the node and the pods to evict there.</summary>
    internal sealed record Preemption(NodeInfo Node, List<SchedulingPod> Victims);

    /// <summary>
    /// Upstream DefaultPreemption (PostFilter): on nodes that failed for resolvable reasons,
    /// remove every lower-priority pod, check the pod fits, then reprieve victims from the most
    /// important down while it still fits. Returns the "preemption: …" message when no node
    /// works, or the chosen node (no message, as upstream).
    /// </summary>
    (string? Message, Preemption? Result) Preempt(CycleState state, SchedulingPod pod)
    {
        var nodes = _cluster.Nodes;
        if (nodes.Count == 0)
            return (null, null);
        if (pod.NeverPreempts)
            return ("preemption: not eligible due to preemptionPolicy=Never.", null);
        var nominated = _nominated.GetValueOrDefault(pod.Key) ?? pod.NominatedNodeName;
        if (nominated.Length > 0 && _cluster.Node(nominated) is { } nominatedNode &&
            nominatedNode.Pods.Exists(p => p.Terminating && p.Priority < pod.Priority))
            return ("preemption: not eligible due to a terminating pod on the nominated node.", null);

        var potential = _failed.Where(f => f.Status.Code == StatusCode.Unschedulable).Select(f => f.Node).ToList();
        var statuses = new List<(NodeInfo, Status)>();
        var candidates = new List<Preemption>();
        if (potential.Count > 0)
        {
            var wanted = Math.Min(potential.Count, Math.Max(MinCandidateNodesAbsolute, potential.Count * MinCandidateNodesPercentage / 100));
            var offset = _random.Next(potential.Count);
            for (var i = 0; i < potential.Count && candidates.Count < wanted; i++)
            {
                var node = potential[(offset + i) % potential.Count];
                var (victims, status) = SelectVictims(state, pod, node);
                if (victims is not null)
                    candidates.Add(new Preemption(node, victims));
                else
                    statuses.Add((node, status!));
            }
        }
        if (candidates.Count == 0)
        {
            var notHelpful = Status.Unresolvable(NotHelpful);
            var all = statuses.Concat(Enumerable.Repeat<(NodeInfo, Status)>((null!, notHelpful), nodes.Count - statuses.Count));
            return ("preemption: " + FailureMessage(nodes.Count, all), null);
        }
        var best = candidates.MinBy(c => c, PreemptionOrder.Instance)!;
        ClearNomination(pod.Key);
        _nominated[pod.Key] = best.Node.Name;
        best.Node.NominatedPods.Add(pod);
        SchedulerLog.Preempting(_logger, pod.Key, best.Victims.Count, best.Node.Name);
        return (null, best);
    }

    (List<SchedulingPod>? Victims, Status? Status) SelectVictims(CycleState state, SchedulingPod pod, NodeInfo node)
    {
        var lower = node.Pods.Where(p => p.Priority < pod.Priority).ToList();
        if (lower.Count == 0)
            return (null, Status.Unresolvable(NoVictims));
        var simulated = node.Clone();
        var simulatedState = state.CloneForFilters();
        foreach (var victim in lower)
        {
            simulated.RemovePod(victim.Key);
            foreach (var extension in _extensions)
                extension.RemovePod(simulatedState, pod, victim, simulated);
        }
        var status = RunFilters(simulatedState, pod, simulated);
        if (!status.IsSuccess)
            return (null, status);

        // Most important first: higher priority, then the longer running.
        lower.Sort((a, b) => a.Priority != b.Priority
            ? b.Priority.CompareTo(a.Priority)
            : Nullable.Compare(a.StartTime, b.StartTime));
        var victims = new List<SchedulingPod>();
        foreach (var candidate in lower)
        {
            simulated.AddPod(candidate);
            foreach (var extension in _extensions)
                extension.AddPod(simulatedState, pod, candidate, simulated);
            if (RunFilters(simulatedState, pod, simulated).IsSuccess)
                continue;
            simulated.RemovePod(candidate.Key);
            foreach (var extension in _extensions)
                extension.RemovePod(simulatedState, pod, candidate, simulated);
            victims.Add(candidate);
        }
        return (victims, null);
    }

    /// <summary>Upstream pickOneNodeForPreemption: lowest top victim priority, then lowest priority sum, then fewest victims.</summary>
    sealed class PreemptionOrder : IComparer<Preemption>
    {
        public static PreemptionOrder Instance { get; } = new();

        public int Compare(Preemption? x, Preemption? y)
        {
            var c = Highest(x!).CompareTo(Highest(y!));
            if (c != 0)
                return c;
            c = Sum(x!).CompareTo(Sum(y!));
            return c != 0 ? c : x!.Victims.Count.CompareTo(y!.Victims.Count);
        }

        static long Highest(Preemption p) => p.Victims.Count == 0 ? long.MinValue : p.Victims.Max(v => (long)v.Priority);

        // Shifted as upstream so that negative priorities still add up to more victims costing more.
        static long Sum(Preemption p) => p.Victims.Sum(v => (long)v.Priority + int.MaxValue + 1);
    }

    async Task ReportFailureAsync(SchedulingPod pod, string message, Preemption? preemption, CancellationToken cancellationToken)
    {
        if (preemption is not null)
        {
            foreach (var victim in preemption.Victims)
            {
                try
                {
                    await _evictor.EvictAsync(victim.Ref, pod.Ref, preemption.Node.Name, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    SchedulerLog.EvictFailed(_logger, victim.Key, pod.Key, e.Message);
                }
            }
        }
        var hadNomination = pod.NominatedNodeName.Length > 0;
        await ReportAsync(pod, r => r.UnschedulableAsync(pod.Ref, message,
            preemption?.Node.Name ?? (hadNomination ? "" : null), cancellationToken)).ConfigureAwait(false);
    }
}
