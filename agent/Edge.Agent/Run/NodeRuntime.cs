using Edge.Agent.Runtime;
using Edge.Agent.Runtime.Containerd;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Images;
using Edge.Agent.Runtime.Logs;
using Edge.Agent.Runtime.Pods;
using Edge.Agent.Runtime.Pods.Volumes;

namespace Edge.Agent.Run;

/// <summary>Where and how the node runs pods; every path derives from the data dir unless given.</summary>
/// <param name="ContainerRuntimeEndpoint">An existing CRI socket to use instead of the agent's own containerd.</param>
/// <param name="BridgeName">The pod network's bridge on the host.</param>
public sealed record NodeRuntimeOptions(
    string NodeName,
    string DataDir,
    string PodLogsDir,
    string? ContainerRuntimeEndpoint,
    string BridgeName,
    string ContainerdBinary = "/usr/bin/containerd",
    string CniBinDir = "/usr/lib/cni")
{
    /// <summary>Log rotation: size that triggers it and files kept per container (kubelet's 10 Mi and 5).</summary>
    public long ContainerLogMaxSize { get; init; } = 10L * 1024 * 1024;

    public int ContainerLogMaxFiles { get; init; } = 5;

    /// <summary>When unused images are removed to give the disk back (kubelet's 85 % / 80 %).</summary>
    public ImageGcPolicy ImageGc { get; init; } = new();

    /// <summary>The CRI socket the runtime talks to: the given endpoint, or the agent's own containerd's.</summary>
    public string CriSocket => ContainerRuntimeEndpoint is { Length: > 0 } endpoint
        ? endpoint.StartsWith("unix://", StringComparison.Ordinal) ? endpoint["unix://".Length..] : endpoint
        : ContainerdPaths.Under(DataDir).Socket;
}

/// <summary>
/// The pod-running half of <c>edge-agent run</c>: the image mirror for air-gapped images, the agent's
/// own containerd (or an existing CRI endpoint), and the pod manager fed by the node channel.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    private readonly ImageMirror _mirror;
    private readonly ContainerdSupervisor? _containerd;
    private readonly PodManager _pods;
    private readonly ContainerLogRotator _rotator;
    private readonly ImageGarbageCollector _imageGc;

    private NodeRuntime(ImageMirror mirror, ContainerdSupervisor? containerd, CriClient cri, PodManager pods, ContainerLogRotator rotator, ImageGarbageCollector imageGc)
    {
        _rotator = rotator;
        _imageGc = imageGc;
        _mirror = mirror;
        _containerd = containerd;
        Cri = cri;
        _pods = pods;
    }

    public CriClient Cri { get; }

    public static async Task<NodeRuntime> StartAsync(
        NodeRuntimeOptions options, IDesiredStateFeed feed, IPodStatusSink status, IEventRecorder events,
        Func<NodeFacts> node, Func<PressureSignal> pressure, IRuntimeLog log, TimeProvider time, CancellationToken cancellationToken,
        IServiceAccountTokenSource? tokens = null)
    {
        var mirror = new ImageMirror(ImageMirrorOptions.ForDataDir(options.DataDir), log.Info, time);
        ContainerdSupervisor? containerd = null;
        CriClient? cri = null;
        try
        {
            await mirror.StartAsync(cancellationToken);
            var paths = ContainerdPaths.Under(options.DataDir);
            var confDir = Path.Combine(options.DataDir, "cni", "net.d");
            string socket;
            if (options.ContainerRuntimeEndpoint is { Length: > 0 })
            {
                socket = options.CriSocket;
                log.Info($"using the container runtime at {socket}; its registry and CNI settings are its own (images dir not wired in)");
            }
            else
            {
                Directory.CreateDirectory(paths.RegistryConfigDir);
                mirror.WriteHostsConfig(paths.RegistryConfigDir);
                var config = new ContainerdConfig(paths, PauseImage.Reference, options.CniBinDir, confDir, RestrictOomScoreAdj: !Capabilities.HasSysResource());
                containerd = new ContainerdSupervisor(config, options.ContainerdBinary, log);
                await containerd.StartAsync(cancellationToken);
                socket = paths.Socket;
            }

            cri = new CriClient(socket);
            var runtimeOptions = new RuntimeOptions(options.NodeName, Path.Combine(options.DataDir, "pods"), options.PodLogsDir)
            {
                ContainerLogMaxSize = options.ContainerLogMaxSize,
                ContainerLogMaxFiles = options.ContainerLogMaxFiles,
            };
            var context = new PodContext(runtimeOptions, cri, status, events, node, log, time, pressure, tokens);
            var network = new CniNetworkConfigFactory(confDir, options.BridgeName, Path.Combine(options.DataDir, "cni", "networks"));
            var pods = new PodManager(context, feed, network);
            pods.Start();
            var rotator = new ContainerLogRotator(cri, runtimeOptions, log, time);
            rotator.Start();
            // The images dir's images and the pause image stay: on an air-gapped device nothing
            // could pull them back. With an existing CRI endpoint its root is unknown: no collection.
            var imageGc = new ImageGarbageCollector(
                cri, containerd is null ? options.ImageGc with { HighThresholdPercent = 100 } : options.ImageGc,
                () => Edge.Native.HostInfo.FileSystemStats.Of(paths.Root),
                () => mirror.Catalog.Images.Select(i => i.Image.Reference.ToString()).Append(PauseImage.Reference),
                events, log, time);
            imageGc.Start();
            return new NodeRuntime(mirror, containerd, cri, pods, rotator, imageGc);
        }
        catch
        {
            cri?.Dispose();
            if (containerd is not null)
            {
                await containerd.DisposeAsync();
            }

            await mirror.DisposeAsync();
            throw;
        }
    }

    /// <summary>CRI's RuntimeReady and NetworkReady, as the Node's Ready condition reports them.</summary>
    public async Task<RuntimeReadiness> ReadinessAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await Cri.StatusAsync(cancellationToken);
            var version = await Cri.VersionAsync(cancellationToken);
            var notReady = status.Status?.Conditions.Where(c => !c.Status).Select(c => $"{c.Type}=false reason:{c.Reason} message:{c.Message}").ToArray() ?? ["no conditions"];
            var network = status.Status?.Conditions.FirstOrDefault(c => c.Type == "NetworkReady");
            return new RuntimeReadiness(notReady.Length == 0, notReady.Length == 0 ? "" : "container runtime not ready: " + string.Join("; ", notReady),
                $"{version.RuntimeName}://{version.RuntimeVersion}")
            {
                NetworkReady = network?.Status ?? false,
                NetworkMessage = network is null ? "the container runtime reports no NetworkReady condition" : $"{network.Reason}: {network.Message}".Trim(' ', ':'),
            };
        }
        catch (CriException e)
        {
            return new RuntimeReadiness(false, $"container runtime is down: {e.Detail}", "");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Pods keep running: only the agent's loops and its containerd process stop (shims stay).
        await _pods.DisposeAsync();
        await _rotator.DisposeAsync();
        await _imageGc.DisposeAsync();
        Cri.Dispose();
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync();
        }

        await _mirror.DisposeAsync();
    }
}

/// <summary>Whether the node can run pods, in the words the Node's Ready condition uses.</summary>
public sealed record RuntimeReadiness(bool Ready, string Message, string RuntimeVersion)
{
    /// <summary>CRI's NetworkReady (the pod network's CNI configuration loaded); null when the runtime could not be asked.</summary>
    public bool? NetworkReady { get; init; }

    public string NetworkMessage { get; init; } = "";
}

/// <summary>Capabilities of this process (capability.h numbers), read from /proc.</summary>
internal static class Capabilities
{
    private const int CapSysResource = 24;

    /// <summary>Whether root here may lower OOM scores; where it may not, containerd must be told to restrict them.</summary>
    public static bool HasSysResource()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return line is not null && (Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16) & (1UL << CapSysResource)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
