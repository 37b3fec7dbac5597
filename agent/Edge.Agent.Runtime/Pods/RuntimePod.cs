using Edge.Agent.Runtime.Cri.V1;

namespace Edge.Agent.Runtime.Pods;

/// <summary>One observation of a pod in the runtime: its sandboxes and every container instance, with statuses.</summary>
public sealed record RuntimePod(IReadOnlyList<PodSandbox> Sandboxes, IReadOnlyList<RuntimeContainer> Containers)
{
    /// <summary>The newest sandbox (the one the pod runs in, when ready).</summary>
    public PodSandbox? Latest => Sandboxes.OrderByDescending(s => s.Metadata?.Attempt ?? 0).ThenByDescending(s => s.CreatedAt).FirstOrDefault();

    /// <summary>The newest instance of a container (by attempt) in the given sandbox, or in any sandbox when null.</summary>
    public RuntimeContainer? LatestOf(string name, string? sandboxId) =>
        Containers.Where(c => c.Name == name && (sandboxId is null || c.SandboxId == sandboxId))
            .OrderByDescending(c => c.Attempt).ThenByDescending(c => c.CreatedAt).FirstOrDefault();

    /// <summary>The instance before <paramref name="current"/> (what <c>lastState</c> and <c>--previous</c> show).</summary>
    public RuntimeContainer? PreviousOf(RuntimeContainer current) =>
        Containers.Where(c => c.Name == current.Name && c.Id != current.Id && c.Attempt < current.Attempt)
            .OrderByDescending(c => c.Attempt).FirstOrDefault();
}

/// <summary>A container instance; <see cref="Status"/> is refreshed only when its state changed.</summary>
public sealed record RuntimeContainer(string Id, string SandboxId, string Name, uint Attempt, bool IsInit, ContainerState State, long CreatedAt, ContainerStatus Status)
{
    public DateTimeOffset StartedAt => FromNanos(Status.StartedAt);

    public DateTimeOffset FinishedAt => FromNanos(Status.FinishedAt);

    public static DateTimeOffset FromNanos(long nanos) => DateTimeOffset.FromUnixTimeMilliseconds(nanos / 1_000_000);
}
