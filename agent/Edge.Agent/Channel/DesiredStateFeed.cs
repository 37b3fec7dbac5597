using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Channel;

/// <summary>The latest desired state the channel received, for the pod runtime to follow.</summary>
public sealed class DesiredStateFeed : IDesiredStateFeed
{
    private readonly Lock _lock = new();
    private NodeDesiredState? _current;
    private TaskCompletionSource<NodeDesiredState> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeDesiredState? Current => Volatile.Read(ref _current);

    public async Task<NodeDesiredState> NextAsync(NodeDesiredState? seen, CancellationToken cancellationToken)
    {
        Task<NodeDesiredState> next;
        lock (_lock)
        {
            if (_current is { } current && !ReferenceEquals(current, seen))
            {
                return current;
            }

            next = _next.Task;
        }

        return await next.WaitAsync(cancellationToken);
    }

    /// <summary>Makes <paramref name="state"/> current and wakes everyone waiting.</summary>
    public void Publish(NodeDesiredState state)
    {
        TaskCompletionSource<NodeDesiredState> waiting;
        lock (_lock)
        {
            Volatile.Write(ref _current, state);
            waiting = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        waiting.TrySetResult(state);
    }
}
