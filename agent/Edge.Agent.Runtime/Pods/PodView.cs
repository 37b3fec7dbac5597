using System.Globalization;
using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// The parts of a Pod the node acts on, read once from the API object. Anything the server's
/// validation guarantees is trusted; anything optional falls back to the upstream default.
/// </summary>
public sealed record PodView(
    string Uid,
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset? DeletionTimestamp,
    long? DeletionGracePeriodSeconds,
    string RestartPolicy,
    long TerminationGracePeriodSeconds,
    bool HostNetwork,
    string? Hostname,
    string QosClass,
    IReadOnlyList<ContainerView> InitContainers,
    IReadOnlyList<ContainerView> Containers,
    IReadOnlyList<JsonObject> Volumes,
    JsonObject? PodSecurityContext,
    string? ServiceAccountName,
    JsonObject Object)
{
    public string FullName => $"{Namespace}/{Name}";

    public bool IsTerminating => DeletionTimestamp is not null;

    /// <summary>A static pod's mirror has this annotation; its source is a file on the node.</summary>
    public bool IsMirror => Annotations.ContainsKey("kubernetes.io/config.mirror");

    public long GracePeriodSeconds => DeletionGracePeriodSeconds ?? TerminationGracePeriodSeconds;

    public static PodView Parse(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject ?? throw new FormatException("the pod has no metadata");
        var spec = pod["spec"] as JsonObject ?? throw new FormatException("the pod has no spec");
        var status = pod["status"] as JsonObject;
        return new PodView(
            Uid: Text(metadata, "uid") ?? throw new FormatException("the pod has no uid"),
            Namespace: Text(metadata, "namespace") ?? "default",
            Name: Text(metadata, "name") ?? throw new FormatException("the pod has no name"),
            Labels: StringMap(metadata["labels"]),
            Annotations: StringMap(metadata["annotations"]),
            DeletionTimestamp: Text(metadata, "deletionTimestamp") is { } deleted ? DateTimeOffset.Parse(deleted, CultureInfo.InvariantCulture) : null,
            DeletionGracePeriodSeconds: Long(metadata, "deletionGracePeriodSeconds"),
            RestartPolicy: Text(spec, "restartPolicy") ?? "Always",
            TerminationGracePeriodSeconds: Long(spec, "terminationGracePeriodSeconds") ?? 30,
            HostNetwork: spec["hostNetwork"] is JsonValue h && h.TryGetValue<bool>(out var host) && host,
            Hostname: Text(spec, "hostname"),
            QosClass: (status is null ? null : Text(status, "qosClass")) ?? QosOf(spec),
            InitContainers: ParseContainers(spec["initContainers"]),
            Containers: ParseContainers(spec["containers"]),
            Volumes: (spec["volumes"] as JsonArray)?.OfType<JsonObject>().ToArray() ?? [],
            PodSecurityContext: spec["securityContext"] as JsonObject,
            ServiceAccountName: Text(spec, "serviceAccountName"),
            Object: pod);
    }

    /// <summary>Upstream's QoS rules, for a pod the server did not classify: limits = requests for every resource of every container → Guaranteed.</summary>
    internal static string QosOf(JsonObject spec)
    {
        var all = ParseContainers(spec["containers"]).Concat(ParseContainers(spec["initContainers"])).ToArray();
        if (all.All(c => c.Requests.Count == 0 && c.Limits.Count == 0))
        {
            return "BestEffort";
        }

        var guaranteed = all.All(c =>
            c.Limits.ContainsKey("cpu") && c.Limits.ContainsKey("memory")
            && c.Requests.All(r => c.Limits.TryGetValue(r.Key, out var l) && l == r.Value));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    internal static IReadOnlyList<ContainerView> ParseContainers(JsonNode? list) =>
        (list as JsonArray)?.OfType<JsonObject>().Select(ContainerView.Parse).ToArray() ?? [];

    internal static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A whole number, whether parsed from the wire (a JSON element) or built in memory as an int.</summary>
    internal static long? Long(JsonObject o, string name) =>
        o[name] is not JsonValue v ? null : v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null;

    internal static IReadOnlyDictionary<string, string> StringMap(JsonNode? node) =>
        (node as JsonObject)?.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? new Dictionary<string, string>();
}

/// <summary>One container of the pod spec.</summary>
public sealed record ContainerView(
    string Name,
    string Image,
    string ImagePullPolicy,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Args,
    string? WorkingDir,
    IReadOnlyList<JsonObject> Env,
    IReadOnlyList<JsonObject> EnvFrom,
    IReadOnlyList<JsonObject> Ports,
    IReadOnlyList<JsonObject> VolumeMounts,
    IReadOnlyDictionary<string, string> Requests,
    IReadOnlyDictionary<string, string> Limits,
    JsonObject? SecurityContext,
    JsonObject? LivenessProbe,
    JsonObject? ReadinessProbe,
    JsonObject? StartupProbe,
    JsonObject? Lifecycle,
    string? RestartPolicy,
    bool Tty,
    bool Stdin)
{
    public static ContainerView Parse(JsonObject c)
    {
        var image = PodView.Text(c, "image") ?? "";
        var resources = c["resources"] as JsonObject;
        return new ContainerView(
            Name: PodView.Text(c, "name") ?? throw new FormatException("a container has no name"),
            Image: image,
            // Upstream's default: Always for :latest or no tag, IfNotPresent otherwise.
            ImagePullPolicy: PodView.Text(c, "imagePullPolicy") ?? (ImageReference.HasLatestOrNoTag(image) ? "Always" : "IfNotPresent"),
            Command: Strings(c["command"]),
            Args: Strings(c["args"]),
            WorkingDir: PodView.Text(c, "workingDir"),
            Env: Objects(c["env"]),
            EnvFrom: Objects(c["envFrom"]),
            Ports: Objects(c["ports"]),
            VolumeMounts: Objects(c["volumeMounts"]),
            Requests: QuantityMap(resources?["requests"]),
            Limits: QuantityMap(resources?["limits"]),
            SecurityContext: c["securityContext"] as JsonObject,
            LivenessProbe: c["livenessProbe"] as JsonObject,
            ReadinessProbe: c["readinessProbe"] as JsonObject,
            StartupProbe: c["startupProbe"] as JsonObject,
            Lifecycle: c["lifecycle"] as JsonObject,
            RestartPolicy: PodView.Text(c, "restartPolicy"),
            Tty: c["tty"] is JsonValue t && t.TryGetValue<bool>(out var tty) && tty,
            Stdin: c["stdin"] is JsonValue s && s.TryGetValue<bool>(out var stdin) && stdin);
    }

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        (node as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").ToArray() ?? [];

    private static IReadOnlyList<JsonObject> Objects(JsonNode? node) =>
        (node as JsonArray)?.OfType<JsonObject>().ToArray() ?? [];

    /// <summary>Quantities arrive as strings, or as numbers when a client wrote <c>cpu: 1</c>.</summary>
    private static IReadOnlyDictionary<string, string> QuantityMap(JsonNode? node) =>
        (node as JsonObject)?.Where(p => p.Value is JsonValue).ToDictionary(
            p => p.Key,
            p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value!.ToJsonString()) ?? new Dictionary<string, string>();
}
