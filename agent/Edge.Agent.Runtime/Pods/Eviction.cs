namespace Edge.Agent.Runtime.Pods;

/// <summary>The node's resource pressure as the eviction loop sees it (from the Node's conditions).</summary>
public sealed record PressureSignal(bool Memory, bool Disk)
{
    public static PressureSignal None { get; } = new(false, false);

    public bool Any => Memory || Disk;

    /// <summary>Upstream's wording: "The node was low on resource: memory."</summary>
    public string Resource => Memory ? "memory" : "ephemeral-storage";
}

/// <summary>
/// kubelet's eviction order without usage statistics: never static (file) pods or system-critical
/// ones (priority ≥ 2,000,000,000); BestEffort first, then Burstable, then Guaranteed; within a
/// class the lower priority first, then the most recently started (the pod that has run the least).
/// </summary>
public static class EvictionOrder
{
    public const int SystemCriticalPriority = 2_000_000_000;

    public static bool Exempt(PodView pod) =>
        pod.Annotations.GetValueOrDefault("kubernetes.io/config.source") is "file"
        || (pod.Object["spec"]?["priority"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var priority) && priority >= SystemCriticalPriority);

    public static IEnumerable<PodView> Rank(IEnumerable<(PodView Pod, DateTimeOffset Started)> running) =>
        running.Where(p => !Exempt(p.Pod))
            .OrderBy(p => p.Pod.QosClass switch { "BestEffort" => 0, "Burstable" => 1, _ => 2 })
            .ThenBy(p => p.Pod.Object["spec"]?["priority"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var priority) ? priority : 0)
            .ThenByDescending(p => p.Started)
            .Select(p => p.Pod);
}
