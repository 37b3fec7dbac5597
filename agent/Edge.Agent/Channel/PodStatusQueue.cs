using System.Threading.Channels;
using Edge.Agent.Runtime.Desired;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Channel;

/// <summary>
/// Pod status and deletion confirmations on their way up: at most one pending status per pod (a
/// newer report replaces a queued or unacked one), kept until the server acked the message that
/// carried it, and sent again after a reconnect. A refusal the server will repeat (4xx: the pod
/// is gone, was replaced or is not this node's) settles the entry; a server error (5xx) leaves it
/// to be sent again.
/// </summary>
public sealed class PodStatusQueue : IPodStatusSink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending<PodStatusUpdate>> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending<ObjectRef>> _deletions = new(StringComparer.Ordinal);
    private readonly Channel<bool> _signal = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Pods with a status or deletion not yet acked.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _statuses.Count + _deletions.Count;
            }
        }
    }

    public ValueTask ReportAsync(PodStatusUpdate update, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_deletions.ContainsKey(update.Uid))
            {
                // The pod was confirmed gone: a late status would only be refused.
                return ValueTask.CompletedTask;
            }

            _statuses[update.Uid] = new Pending<PodStatusUpdate>(update);
        }

        _signal.Writer.TryWrite(true);
        return ValueTask.CompletedTask;
    }

    public ValueTask ConfirmDeletedAsync(string @namespace, string name, string uid, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _statuses.Remove(uid);
            _deletions[uid] = new Pending<ObjectRef>(new ObjectRef { Namespace = @namespace, Name = name, Uid = uid });
        }

        _signal.Writer.TryWrite(true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when something was queued, or after <paramref name="timeout"/> (false).</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _signal.Reader.WaitToReadAsync(wait.Token);
            _signal.Reader.TryRead(out _);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The statuses not yet sent on this stream, marked as carried by message <paramref name="sequence"/>.</summary>
    public PodStatusBatch? TakeStatuses(ulong sequence)
    {
        lock (_lock)
        {
            var batch = new PodStatusBatch();
            foreach (var pending in _statuses.Values.Where(p => p.SentIn == 0))
            {
                pending.SentIn = sequence;
                var update = pending.Item;
                batch.Pods.Add(new PodStatus
                {
                    Namespace = update.Namespace,
                    Name = update.Name,
                    Uid = update.Uid,
                    StatusJson = Edge.NodeChannel.ObjectJson.Encode(update.Status),
                });
            }

            return batch.Pods.Count > 0 ? batch : null;
        }
    }

    /// <summary>The deletion confirmations not yet sent on this stream, marked as carried by message <paramref name="sequence"/>.</summary>
    public PodDeletionConfirmed? TakeDeletions(ulong sequence)
    {
        lock (_lock)
        {
            var batch = new PodDeletionConfirmed();
            foreach (var pending in _deletions.Values.Where(p => p.SentIn == 0))
            {
                pending.SentIn = sequence;
                batch.Pods.Add(pending.Item);
            }

            return batch.Pods.Count > 0 ? batch : null;
        }
    }

    /// <summary>
    /// The server answered message <paramref name="sequence"/>: what it carried is settled, except
    /// what was queued again since (it waits for its own send) and what failed with a server error.
    /// </summary>
    public void Settle(StatusAck ack)
    {
        var retry = ack.Failures.Where(f => f.Code >= 500).Select(f => f.Pod.Uid).ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            Settle(_statuses, ack.AckedSequence, retry);
            Settle(_deletions, ack.AckedSequence, retry);
        }
    }

    /// <summary>A new stream: nothing unacked counts as sent any more.</summary>
    public void Reconnected()
    {
        lock (_lock)
        {
            foreach (var pending in _statuses.Values)
            {
                pending.SentIn = 0;
            }

            foreach (var pending in _deletions.Values)
            {
                pending.SentIn = 0;
            }
        }
    }

    private static void Settle<T>(Dictionary<string, Pending<T>> entries, ulong sequence, HashSet<string> retry)
    {
        foreach (var (uid, pending) in entries.Where(e => e.Value.SentIn == sequence).ToList())
        {
            if (retry.Contains(uid))
            {
                // Sent again with the next batch or heartbeat tick, not at once: the server is struggling.
                pending.SentIn = 0;
            }
            else
            {
                entries.Remove(uid);
            }
        }
    }

    private sealed class Pending<T>(T item)
    {
        public T Item { get; } = item;

        /// <summary>The sequence of the message that carried it on the current stream; 0 = not sent.</summary>
        public ulong SentIn { get; set; }
    }
}
