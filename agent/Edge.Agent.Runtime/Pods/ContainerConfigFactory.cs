using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Runtime.Pods;

/// <summary>
/// The CRI config of one container instance: command and args with <c>$(VAR)</c> expanded, the
/// environment, volume mounts, resources (shares, quota, memory limit, OOM score by QoS) and
/// security context.
/// </summary>
public static class ContainerConfigFactory
{
    /// <summary>Upstream's CFS period; quota = limit × period.</summary>
    private const long CpuPeriod = 100_000;

    public static ContainerConfig Create(
        PodView pod, ContainerView container, bool isInit, uint attempt, string imageRef, NodeDesiredState state,
        PodNetworkFacts facts, IReadOnlyDictionary<string, string> volumePaths)
    {
        var env = PodEnvironment.Build(pod, container, state, facts);
        var defined = env.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = attempt },
            Image = new ImageSpec { Image = imageRef },
            WorkingDir = container.WorkingDir ?? "",
            LogPath = LogPath(container.Name, attempt),
            Tty = container.Tty,
            Stdin = container.Stdin,
            Linux = new LinuxContainerConfig
            {
                Resources = Resources(pod, container, facts),
                SecurityContext = Security(pod, container),
            },
        };
        config.Command.AddRange(container.Command.Select(c => PodEnvironment.Expand(c, defined)));
        config.Args.AddRange(container.Args.Select(a => PodEnvironment.Expand(a, defined)));
        config.Envs.AddRange(env.Select(e => new KeyValue { Key = e.Key, Value = e.Value }));
        foreach (var mount in container.VolumeMounts)
        {
            config.Mounts.Add(Mount(container, mount, volumePaths));
        }

        config.Labels[CriLabels.ContainerName] = container.Name;
        config.Labels[CriLabels.PodName] = pod.Name;
        config.Labels[CriLabels.PodNamespace] = pod.Namespace;
        config.Labels[CriLabels.PodUid] = pod.Uid;
        config.Labels[CriLabels.ManagedBy] = CriLabels.ManagedByValue;
        config.Annotations["io.kubernetes.container.restartCount"] = attempt.ToString(CultureInfo.InvariantCulture);
        if (isInit)
        {
            config.Annotations[CriLabels.InitContainer] = "1";
        }

        return config;
    }

    public static string LogPath(string containerName, uint attempt) =>
        Path.Combine(containerName, $"{attempt.ToString(CultureInfo.InvariantCulture)}.log");

    private static Mount Mount(ContainerView container, JsonObject mount, IReadOnlyDictionary<string, string> volumePaths)
    {
        var name = PodView.Text(mount, "name") ?? "";
        if (!volumePaths.TryGetValue(name, out var hostPath))
        {
            throw new ContainerConfigException($"container {container.Name}: volumeMount {name} names no volume of the pod");
        }

        if (PodView.Text(mount, "subPath") is { Length: > 0 } subPath)
        {
            if (subPath.StartsWith('/') || subPath.Split('/').Contains(".."))
            {
                throw new ContainerConfigException($"container {container.Name}: subPath {subPath} must be a relative path without '..'");
            }

            hostPath = Path.Combine(hostPath, subPath);
            if (!Path.Exists(hostPath))
            {
                Directory.CreateDirectory(hostPath);
            }
        }

        return new Mount
        {
            ContainerPath = PodView.Text(mount, "mountPath") ?? "",
            HostPath = hostPath,
            Readonly = mount["readOnly"] is JsonValue v && v.TryGetValue<bool>(out var readOnly) && readOnly,
            Propagation = PodView.Text(mount, "mountPropagation") switch
            {
                "HostToContainer" => MountPropagation.PropagationHostToContainer,
                "Bidirectional" => MountPropagation.PropagationBidirectional,
                _ => MountPropagation.PropagationPrivate,
            },
        };
    }

    internal static LinuxContainerResources Resources(PodView pod, ContainerView container, PodNetworkFacts facts)
    {
        var resources = new LinuxContainerResources { CpuPeriod = CpuPeriod };
        var cpuRequest = container.Requests.TryGetValue("cpu", out var request) ? Quantity.MilliCpu(request)
            : container.Limits.TryGetValue("cpu", out var limitAsRequest) ? Quantity.MilliCpu(limitAsRequest) : 0;
        // Upstream: shares = milliCPU × 1024 / 1000, at least 2.
        resources.CpuShares = Math.Max(2, cpuRequest * 1024 / 1000);
        if (container.Limits.TryGetValue("cpu", out var cpuLimit))
        {
            resources.CpuQuota = Math.Max(1000, Quantity.MilliCpu(cpuLimit) * CpuPeriod / 1000);
        }

        if (container.Limits.TryGetValue("memory", out var memoryLimit))
        {
            resources.MemoryLimitInBytes = Quantity.Bytes(memoryLimit);
        }

        resources.OomScoreAdj = OomScoreAdj(pod, container, facts);
        return resources;
    }

    /// <summary>kubelet's policy: Guaranteed −997, BestEffort 1000, Burstable by share of node memory requested (2…999).</summary>
    internal static long OomScoreAdj(PodView pod, ContainerView container, PodNetworkFacts facts)
    {
        switch (pod.QosClass)
        {
            case "Guaranteed":
                return -997;
            case "BestEffort":
                return 1000;
        }

        var request = container.Requests.TryGetValue("memory", out var memory) ? Quantity.Bytes(memory) : 0;
        var capacity = facts.AllocatableMemory > 0 ? facts.AllocatableMemory : 1;
        var score = 1000 - (long)(1000m * request / capacity);
        return Math.Clamp(score, 2, 999);
    }

    internal static LinuxContainerSecurityContext Security(PodView pod, ContainerView container)
    {
        var context = new LinuxContainerSecurityContext { NamespaceOptions = SandboxConfigFactory.Namespaces(pod) };
        var podContext = pod.PodSecurityContext;
        var own = container.SecurityContext;
        long? Pick(string name) => (own is null ? null : PodView.Long(own, name)) ?? (podContext is null ? null : PodView.Long(podContext, name));
        bool Flag(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

        if (Pick("runAsUser") is { } user)
        {
            context.RunAsUser = new Int64Value { Value = user };
        }

        if (Pick("runAsGroup") is { } group)
        {
            context.RunAsGroup = new Int64Value { Value = group };
        }

        context.Privileged = Flag(own, "privileged");
        context.ReadonlyRootfs = Flag(own, "readOnlyRootFilesystem");
        // allowPrivilegeEscalation defaults to true upstream; false sets no_new_privs.
        context.NoNewPrivs = own?["allowPrivilegeEscalation"] is JsonValue escalate && escalate.TryGetValue<bool>(out var allowed) && !allowed;
        foreach (var extra in (podContext?["supplementalGroups"] as JsonArray)?.Select(g => g?.GetValue<long>() ?? 0) ?? [])
        {
            context.SupplementalGroups.Add(extra);
        }

        if (podContext is not null && PodView.Long(podContext, "fsGroup") is { } fsGroup)
        {
            context.SupplementalGroups.Add(fsGroup);
        }

        if (own?["capabilities"] is JsonObject capabilities)
        {
            context.Capabilities = new Capability();
            context.Capabilities.AddCapabilities.AddRange(Names(capabilities["add"]));
            context.Capabilities.DropCapabilities.AddRange(Names(capabilities["drop"]));
        }

        return context;
    }

    /// <summary>Kubernetes writes <c>NET_ADMIN</c>; the runtime wants <c>CAP_NET_ADMIN</c> (containerd accepts both; normalise anyway).</summary>
    private static IEnumerable<string> Names(JsonNode? list) =>
        (list as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").Where(n => n.Length > 0)
            .Select(n => n == "ALL" || n.StartsWith("CAP_", StringComparison.Ordinal) ? n : "CAP_" + n) ?? [];
}
