using System.Text.Json.Nodes;

namespace Edge.Agent.StaticPods;

/// <summary>
/// A pod this node runs from a manifest file, as kubelet's file source builds it. Its uid is its
/// config hash, which is also the value of the mirror pod's <c>kubernetes.io/config.mirror</c>.
/// </summary>
/// <param name="Pod">The defaulted Pod object the runtime runs; shared, never mutated.</param>
public sealed record StaticPod(string Uid, string Namespace, string Name, string File, JsonObject Pod)
{
    public string FullName => $"{Namespace}/{Name}";
}

/// <summary>The annotations kubelet's static pod sources and mirror pods carry.</summary>
public static class StaticPodAnnotations
{
    public const string Source = "kubernetes.io/config.source";
    public const string Hash = "kubernetes.io/config.hash";
    public const string Seen = "kubernetes.io/config.seen";
    public const string Mirror = "kubernetes.io/config.mirror";

    public const string FileSource = "file";

    /// <summary>The config hash a pod of the API mirrors, or null when it is no mirror pod.</summary>
    public static string? MirrorOf(JsonObject pod) =>
        pod["metadata"]?["annotations"]?[Mirror] is JsonValue v && v.TryGetValue<string>(out var hash) ? hash : null;
}
