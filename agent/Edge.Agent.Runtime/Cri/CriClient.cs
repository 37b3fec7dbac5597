using System.Net.Sockets;
using Edge.Agent.Runtime.Cri.V1;
using Edge.Agent.Runtime.Grpc;
using Google.Protobuf;

namespace Edge.Agent.Runtime.Cri;

/// <summary>
/// CRI v1 over the runtime's unix socket. Every call has a deadline (a hung containerd must not
/// hang a pod worker forever) and every gRPC failure becomes a <see cref="CriException"/>.
/// </summary>
public sealed class CriClient : IDisposable
{
    /// <summary>Most calls answer in milliseconds; creating a sandbox runs CNI, a pull moves layers.</summary>
    private static readonly TimeSpan ShortCall = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongCall = TimeSpan.FromMinutes(4);

    private const string Runtime = "/runtime.v1.RuntimeService/";
    private const string Images = "/runtime.v1.ImageService/";

    private readonly GrpcClient _grpc;

    public CriClient(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The authority is ignored by containerd; h2c needs some http:// address.
        _grpc = new GrpcClient(handler, new Uri("http://localhost"), maxReceiveBytes: 32 * 1024 * 1024);
    }

    public string SocketPath { get; }

    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) =>
        CallAsync(Runtime, "Version", new VersionRequest { Version = "v1" }, VersionResponse.Parser, ShortCall, cancellationToken);

    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        CallAsync(Runtime, "Status", new StatusRequest(), StatusResponse.Parser, ShortCall, cancellationToken);

    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken) =>
        (await CallAsync(Runtime, "RunPodSandbox", new RunPodSandboxRequest { Config = config }, RunPodSandboxResponse.Parser, LongCall, cancellationToken)).PodSandboxId;

    public Task StopPodSandboxAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "StopPodSandbox", new StopPodSandboxRequest { PodSandboxId = id }, StopPodSandboxResponse.Parser, LongCall, cancellationToken);

    public Task RemovePodSandboxAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "RemovePodSandbox", new RemovePodSandboxRequest { PodSandboxId = id }, RemovePodSandboxResponse.Parser, LongCall, cancellationToken);

    public async Task<PodSandboxStatus> PodSandboxStatusAsync(string id, CancellationToken cancellationToken) =>
        (await CallAsync(Runtime, "PodSandboxStatus", new PodSandboxStatusRequest { PodSandboxId = id }, PodSandboxStatusResponse.Parser, ShortCall, cancellationToken)).Status;

    /// <summary>Sandboxes whose labels include all of <paramref name="labels"/> (every sandbox when empty).</summary>
    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var request = new ListPodSandboxRequest { Filter = new PodSandboxFilter() };
        foreach (var (key, value) in labels)
        {
            request.Filter.LabelSelector[key] = value;
        }

        return (await CallAsync(Runtime, "ListPodSandbox", request, ListPodSandboxResponse.Parser, ShortCall, cancellationToken)).Items;
    }

    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken) =>
        (await CallAsync(Runtime, "CreateContainer", new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig }, CreateContainerResponse.Parser, LongCall, cancellationToken)).ContainerId;

    public Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "StartContainer", new StartContainerRequest { ContainerId = id }, StartContainerResponse.Parser, LongCall, cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="gracePeriodSeconds"/>; the call lasts as long as the grace period.</summary>
    public Task StopContainerAsync(string id, long gracePeriodSeconds, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "StopContainer", new StopContainerRequest { ContainerId = id, Timeout = gracePeriodSeconds }, StopContainerResponse.Parser, LongCall + TimeSpan.FromSeconds(gracePeriodSeconds), cancellationToken);

    public Task RemoveContainerAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "RemoveContainer", new RemoveContainerRequest { ContainerId = id }, RemoveContainerResponse.Parser, LongCall, cancellationToken);

    /// <summary>Containers whose labels include all of <paramref name="labels"/> (every container when empty).</summary>
    public async Task<IReadOnlyList<Container>> ListContainersAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var request = new ListContainersRequest { Filter = new ContainerFilter() };
        foreach (var (key, value) in labels)
        {
            request.Filter.LabelSelector[key] = value;
        }

        return (await CallAsync(Runtime, "ListContainers", request, ListContainersResponse.Parser, ShortCall, cancellationToken)).Containers;
    }

    public async Task<ContainerStatus> ContainerStatusAsync(string id, CancellationToken cancellationToken) =>
        (await CallAsync(Runtime, "ContainerStatus", new ContainerStatusRequest { ContainerId = id }, ContainerStatusResponse.Parser, ShortCall, cancellationToken)).Status;

    public Task ReopenContainerLogAsync(string id, CancellationToken cancellationToken) =>
        CallAsync(Runtime, "ReopenContainerLog", new ReopenContainerLogRequest { ContainerId = id }, ReopenContainerLogResponse.Parser, ShortCall, cancellationToken);

    public Task<ExecSyncResponse> ExecSyncAsync(string id, IEnumerable<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new ExecSyncRequest { ContainerId = id, Timeout = (long)Math.Ceiling(timeout.TotalSeconds) };
        request.Cmd.AddRange(command);
        return CallAsync(Runtime, "ExecSync", request, ExecSyncResponse.Parser, timeout + TimeSpan.FromSeconds(5), cancellationToken);
    }

    /// <summary>The image as the runtime knows it, or null when it is not present.</summary>
    public async Task<Image?> ImageStatusAsync(string image, CancellationToken cancellationToken) =>
        (await CallAsync(Images, "ImageStatus", new ImageStatusRequest { Image = new ImageSpec { Image = image } }, ImageStatusResponse.Parser, ShortCall, cancellationToken)).Image;

    public async Task<string> PullImageAsync(string image, AuthConfig? auth, CancellationToken cancellationToken)
    {
        var request = new PullImageRequest { Image = new ImageSpec { Image = image } };
        if (auth is not null)
        {
            request.Auth = auth;
        }

        return (await CallAsync(Images, "PullImage", request, PullImageResponse.Parser, LongCall, cancellationToken)).ImageRef;
    }

    public async Task<IReadOnlyList<Image>> ListImagesAsync(CancellationToken cancellationToken) =>
        (await CallAsync(Images, "ListImages", new ListImagesRequest(), ListImagesResponse.Parser, ShortCall, cancellationToken)).Images;

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        CallAsync(Images, "RemoveImage", new RemoveImageRequest { Image = new ImageSpec { Image = image } }, RemoveImageResponse.Parser, LongCall, cancellationToken);

    private async Task<T> CallAsync<T>(string service, string operation, IMessage request, MessageParser<T> parser, TimeSpan timeout, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        try
        {
            return await _grpc.UnaryAsync(service + operation, request, parser, timeout, cancellationToken);
        }
        catch (GrpcException e)
        {
            throw new CriException(operation, e.Code, e.Detail, e);
        }
    }

    public void Dispose() => _grpc.Dispose();
}
