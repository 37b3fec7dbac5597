using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Tests.Pods;

/// <summary>
/// The server's side of the node channel, in memory: the test sets the desired state and reads
/// back what the runtime reported (statuses, deletion confirmations, events). Not a stand-in for a
/// component under test — the real channel has its own tests; this drives the runtime directly.
/// </summary>
public sealed class InMemoryNode : IDesiredStateFeed, IPodStatusSink, IEventRecorder
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NodeDesiredState? _current;

    public ConcurrentDictionary<string, JsonObject> Statuses { get; } = new();

    public ConcurrentDictionary<string, bool> Confirmed { get; } = new();

    public ConcurrentQueue<(string Pod, string Type, string Reason, string Message)> Events { get; } = new();

    public ConcurrentQueue<(string Type, string Reason, string Message)> NodeEvents { get; } = new();

    public NodeDesiredState? Current => _current;

    public void Set(NodeDesiredState state)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            _current = state;
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }

    public async Task<NodeDesiredState> NextAsync(NodeDesiredState? seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_current is not null && !ReferenceEquals(_current, seen))
                {
                    return _current;
                }

                wait = _changed.Task;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    public ValueTask ReportAsync(PodStatusUpdate update, CancellationToken cancellationToken)
    {
        Statuses[update.Uid] = update.Status;
        return ValueTask.CompletedTask;
    }

    public ValueTask ConfirmDeletedAsync(string @namespace, string name, string uid, CancellationToken cancellationToken)
    {
        Confirmed[uid] = true;
        return ValueTask.CompletedTask;
    }

    public void Record(PodReference pod, string type, string reason, string message, string? fieldPath = null) =>
        Events.Enqueue((pod.Name, type, reason, message));

    public void RecordForNode(string type, string reason, string message) => NodeEvents.Enqueue((type, reason, message));

    /// <summary>Waits until the pod's reported status satisfies <paramref name="condition"/>; fails with the last status seen.</summary>
    public async Task<JsonObject> WaitForStatusAsync(string uid, Func<JsonObject, bool> condition, TimeSpan timeout, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Statuses.TryGetValue(uid, out var status) && condition(status))
            {
                return status;
            }

            await Task.Delay(100);
        }

        var last = Statuses.TryGetValue(uid, out var seen) ? seen.ToJsonString() : "none";
        var events = string.Join("\n", Events.Select(e => $"{e.Pod} {e.Type} {e.Reason}: {e.Message}"));
        throw new TimeoutException($"pod {uid}: condition not met in {timeout.TotalSeconds} s; last status {last}\nevents:\n{events}\n{context?.Invoke()}");
    }
}
