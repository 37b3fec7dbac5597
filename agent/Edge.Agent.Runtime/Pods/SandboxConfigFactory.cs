using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Cri.V1;

namespace Edge.Agent.Runtime.Pods;

/// <summary>The CRI sandbox of a pod: names, hostname, log dir, port mappings, cgroup parent by QoS, namespaces.</summary>
public sealed class SandboxConfigFactory(RuntimeOptions options)
{
    public PodSandboxConfig Create(PodView pod, uint attempt)
    {
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = pod.Name, Namespace = pod.Namespace, Uid = pod.Uid, Attempt = attempt },
            LogDirectory = LogDirectory(pod),
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = CgroupParent(pod),
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = Namespaces(pod),
                    Privileged = pod.Containers.Concat(pod.InitContainers).Any(c => c.SecurityContext?["privileged"] is JsonValue v && v.TryGetValue<bool>(out var p) && p),
                },
            },
        };

        // runc refuses a hostname without a private UTS namespace (host network).
        if (!pod.HostNetwork)
        {
            config.Hostname = Truncate(pod.Hostname ?? pod.Name, 63);
        }

        if (pod.PodSecurityContext is { } security)
        {
            if (PodView.Long(security, "runAsUser") is { } user)
            {
                config.Linux.SecurityContext.RunAsUser = new Int64Value { Value = user };
            }

            if (PodView.Long(security, "runAsGroup") is { } group)
            {
                config.Linux.SecurityContext.RunAsGroup = new Int64Value { Value = group };
            }

            foreach (var sysctl in (security["sysctls"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                config.Linux.Sysctls[PodView.Text(sysctl, "name") ?? ""] = PodView.Text(sysctl, "value") ?? "";
            }
        }

        foreach (var (key, value) in pod.Labels)
        {
            config.Labels[key] = value;
        }

        config.Labels[CriLabels.PodName] = pod.Name;
        config.Labels[CriLabels.PodNamespace] = pod.Namespace;
        config.Labels[CriLabels.PodUid] = pod.Uid;
        config.Labels[CriLabels.ManagedBy] = CriLabels.ManagedByValue;
        foreach (var (key, value) in pod.Annotations)
        {
            config.Annotations[key] = value;
        }

        foreach (var container in pod.Containers)
        {
            foreach (var port in container.Ports)
            {
                if (PodView.Long(port, "hostPort") is not ({ } hostPort and > 0))
                {
                    continue;
                }

                config.PortMappings.Add(new PortMapping
                {
                    ContainerPort = (int)(PodView.Long(port, "containerPort") ?? hostPort),
                    HostPort = (int)hostPort,
                    HostIp = PodView.Text(port, "hostIP") ?? "",
                    Protocol = (PodView.Text(port, "protocol") ?? "TCP") switch { "UDP" => Protocol.Udp, "SCTP" => Protocol.Sctp, _ => Protocol.Tcp },
                });
            }
        }

        return config;
    }

    public string LogDirectory(PodView pod) => LogDirectory(options.PodLogsDir, pod.Namespace, pod.Name, pod.Uid);

    /// <summary>kubelet's layout, <c>&lt;pod logs dir&gt;/&lt;namespace&gt;_&lt;name&gt;_&lt;uid&gt;</c>: where containerd writes and logs are read.</summary>
    public static string LogDirectory(string podLogsDir, string @namespace, string name, string uid) =>
        Path.Combine(podLogsDir, $"{@namespace}_{name}_{uid}");

    /// <summary>kubelet's cgroupfs layout: Guaranteed pods directly under the root, the others under their class.</summary>
    public string CgroupParent(PodView pod) => pod.QosClass switch
    {
        "Guaranteed" => $"{options.CgroupRoot}/pod{pod.Uid}",
        "Burstable" => $"{options.CgroupRoot}/burstable/pod{pod.Uid}",
        _ => $"{options.CgroupRoot}/besteffort/pod{pod.Uid}",
    };

    internal static NamespaceOption Namespaces(PodView pod)
    {
        var spec = pod.Object["spec"] as JsonObject;
        bool Flag(string name) => spec?[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        return new NamespaceOption
        {
            Network = pod.HostNetwork ? NamespaceMode.Node : NamespaceMode.Pod,
            Pid = Flag("hostPID") ? NamespaceMode.Node : Flag("shareProcessNamespace") ? NamespaceMode.Pod : NamespaceMode.Container,
            Ipc = Flag("hostIPC") ? NamespaceMode.Node : NamespaceMode.Pod,
        };
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length].TrimEnd('-', '.');
}
