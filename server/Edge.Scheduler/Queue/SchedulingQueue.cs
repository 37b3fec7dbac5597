using Edge.Scheduler.Model;

namespace Edge.Scheduler.Queue;

/// <summary>
/// Upstream's three queues: active (priority, then age), backoff (until the pod's backoff
/// expires) and unschedulable (until a cluster event might help, or a timeout). Not thread-safe:
/// the scheduler calls it under its lock.
/// </summary>
internal sealed class SchedulingQueue(TimeProvider time, SchedulerOptions options)
{
    readonly Dictionary<string, QueuedPod> _pods = new(StringComparer.Ordinal);
    readonly PriorityQueue<(QueuedPod Pod, long Version), (int Priority, DateTimeOffset Timestamp, long Sequence)> _active = new();
    readonly PriorityQueue<(QueuedPod Pod, long Version), DateTimeOffset> _backoff = new();
    readonly Dictionary<string, QueuedPod> _unschedulable = new(StringComparer.Ordinal);
    long _sequence;
    long _cycle;
    // The last cycle in which a cluster event asked to retry unschedulable pods: a pod failing in
    // or before it may have missed the event, so it backs off instead of waiting for another.
    long _moveRequestCycle = -1;

    public int Count => _pods.Count;
    public int UnschedulableCount => _unschedulable.Count;

    /// <summary>Adds a new pending pod, or updates one; an update gives an unschedulable pod another try.</summary>
    public void AddOrUpdate(SchedulingPod pod)
    {
        if (_pods.TryGetValue(pod.Key, out var queued))
        {
            queued.Pod = pod;
            if (queued.Location == QueueLocation.Unschedulable)
                Move(queued);
            return;
        }
        queued = new QueuedPod(pod, time.GetUtcNow());
        _pods[pod.Key] = queued;
        PushActive(queued);
    }

    public void Delete(string key)
    {
        if (!_pods.Remove(key, out var queued))
            return;
        queued.Deleted = true;
        queued.Version++;
        _unschedulable.Remove(key);
    }

    /// <summary>The next pod to schedule, or null when none is active.</summary>
    public QueuedPod? Pop()
    {
        Flush();
        while (_active.TryDequeue(out var entry, out _))
        {
            if (entry.Version != entry.Pod.Version || entry.Pod.Location != QueueLocation.Active)
                continue;
            entry.Pod.Location = QueueLocation.InFlight;
            entry.Pod.Attempts++;
            entry.Pod.Cycle = ++_cycle;
            return entry.Pod;
        }
        return null;
    }

    /// <summary>The popped pod was bound (or at least assumed): it leaves the queue.</summary>
    public void Done(QueuedPod queued)
    {
        if (_pods.TryGetValue(queued.Pod.Key, out var current) && current == queued)
            _pods.Remove(queued.Pod.Key);
    }

    /// <summary>The popped pod fits nowhere: it waits for a cluster event, or backs off if one came meanwhile.</summary>
    public void AddUnschedulable(QueuedPod queued, bool waitsForPods)
    {
        if (queued.Deleted)
            return;
        queued.Timestamp = time.GetUtcNow();
        queued.WaitsForPods = waitsForPods;
        if (_moveRequestCycle >= queued.Cycle)
        {
            PushBackoff(queued);
            return;
        }
        queued.Location = QueueLocation.Unschedulable;
        queued.Version++;
        _unschedulable[queued.Pod.Key] = queued;
    }

    /// <summary>Binding failed: try again after the backoff.</summary>
    public void Requeue(QueuedPod queued)
    {
        if (queued.Deleted)
            return;
        _pods[queued.Pod.Key] = queued;
        queued.Timestamp = time.GetUtcNow();
        PushBackoff(queued);
    }

    /// <summary>
    /// A cluster event that may make pods schedulable. <paramref name="podAdded"/> events help
    /// only pods that failed on other pods' placement (affinity, spread).
    /// </summary>
    public void MoveAllUnschedulable(bool podAdded = false)
    {
        _moveRequestCycle = _cycle;
        if (_unschedulable.Count == 0)
            return;
        List<QueuedPod>? moving = null;
        foreach (var queued in _unschedulable.Values)
        {
            if (!podAdded || queued.WaitsForPods)
                (moving ??= []).Add(queued);
        }
        foreach (var queued in moving ?? [])
            Move(queued);
    }

    /// <summary>Moves expired backoffs to active and pods unschedulable for too long back into play.</summary>
    public void Flush()
    {
        var now = time.GetUtcNow();
        while (_backoff.TryPeek(out var entry, out var until) && until <= now)
        {
            _backoff.Dequeue();
            if (entry.Version == entry.Pod.Version && entry.Pod.Location == QueueLocation.Backoff)
                PushActive(entry.Pod);
        }
        if (_unschedulable.Count == 0)
            return;
        List<QueuedPod>? stale = null;
        foreach (var queued in _unschedulable.Values)
        {
            if (now - queued.Timestamp >= options.MaxInUnschedulable)
                (stale ??= []).Add(queued);
        }
        foreach (var queued in stale ?? [])
            Move(queued);
    }

    /// <summary>When the pod's backoff ends: initial × 2^(attempts−1), capped.</summary>
    public DateTimeOffset BackoffUntil(QueuedPod queued)
    {
        var duration = options.InitialBackoff;
        for (var i = 1; i < queued.Attempts && duration < options.MaxBackoff; i++)
            duration *= 2;
        if (duration > options.MaxBackoff)
            duration = options.MaxBackoff;
        return queued.Timestamp + duration;
    }

    void Move(QueuedPod queued)
    {
        _unschedulable.Remove(queued.Pod.Key);
        if (BackoffUntil(queued) > time.GetUtcNow())
            PushBackoff(queued);
        else
            PushActive(queued);
    }

    void PushActive(QueuedPod queued)
    {
        queued.Location = QueueLocation.Active;
        queued.Version++;
        _active.Enqueue((queued, queued.Version), (-queued.Pod.Priority, queued.Timestamp, _sequence++));
    }

    void PushBackoff(QueuedPod queued)
    {
        queued.Location = QueueLocation.Backoff;
        queued.Version++;
        _backoff.Enqueue((queued, queued.Version), BackoffUntil(queued));
    }
}
