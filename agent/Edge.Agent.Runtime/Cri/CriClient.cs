using System.Net.Sockets;
using Edge.Agent.Runtime.Cri.V1;
using Grpc.Core;
using Grpc.Net.Client;

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

    private readonly GrpcChannel _channel;
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ImageService.ImageServiceClient _images;

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
        // The authority is ignored by containerd; gRPC needs some http:// address for h2c.
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 32 * 1024 * 1024,
        });
        _runtime = new RuntimeService.RuntimeServiceClient(_channel);
        _images = new ImageService.ImageServiceClient(_channel);
    }

    public string SocketPath { get; }

    public Task<VersionResponse> VersionAsync(CancellationToken cancellationToken) =>
        CallAsync("Version", ShortCall, cancellationToken, o => _runtime.VersionAsync(new VersionRequest { Version = "v1" }, o));

    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken) =>
        CallAsync("Status", ShortCall, cancellationToken, o => _runtime.StatusAsync(new StatusRequest(), o));

    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, CancellationToken cancellationToken) =>
        (await CallAsync("RunPodSandbox", LongCall, cancellationToken, o => _runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, o))).PodSandboxId;

    public Task StopPodSandboxAsync(string id, CancellationToken cancellationToken) =>
        CallAsync("StopPodSandbox", LongCall, cancellationToken, o => _runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = id }, o));

    public Task RemovePodSandboxAsync(string id, CancellationToken cancellationToken) =>
        CallAsync("RemovePodSandbox", LongCall, cancellationToken, o => _runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = id }, o));

    public async Task<PodSandboxStatus> PodSandboxStatusAsync(string id, CancellationToken cancellationToken) =>
        (await CallAsync("PodSandboxStatus", ShortCall, cancellationToken, o => _runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = id }, o))).Status;

    /// <summary>Sandboxes whose labels include all of <paramref name="labels"/> (every sandbox when empty).</summary>
    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxesAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var request = new ListPodSandboxRequest { Filter = new PodSandboxFilter() };
        foreach (var (key, value) in labels)
        {
            request.Filter.LabelSelector[key] = value;
        }

        return (await CallAsync("ListPodSandbox", ShortCall, cancellationToken, o => _runtime.ListPodSandboxAsync(request, o))).Items;
    }

    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken) =>
        (await CallAsync("CreateContainer", LongCall, cancellationToken, o => _runtime.CreateContainerAsync(
            new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig }, o))).ContainerId;

    public Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        CallAsync("StartContainer", LongCall, cancellationToken, o => _runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, o));

    /// <summary>SIGTERM, then SIGKILL after <paramref name="gracePeriodSeconds"/>; the call lasts as long as the grace period.</summary>
    public Task StopContainerAsync(string id, long gracePeriodSeconds, CancellationToken cancellationToken) =>
        CallAsync("StopContainer", LongCall + TimeSpan.FromSeconds(gracePeriodSeconds), cancellationToken,
            o => _runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = gracePeriodSeconds }, o));

    public Task RemoveContainerAsync(string id, CancellationToken cancellationToken) =>
        CallAsync("RemoveContainer", LongCall, cancellationToken, o => _runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id }, o));

    /// <summary>Containers whose labels include all of <paramref name="labels"/> (every container when empty).</summary>
    public async Task<IReadOnlyList<Container>> ListContainersAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var request = new ListContainersRequest { Filter = new ContainerFilter() };
        foreach (var (key, value) in labels)
        {
            request.Filter.LabelSelector[key] = value;
        }

        return (await CallAsync("ListContainers", ShortCall, cancellationToken, o => _runtime.ListContainersAsync(request, o))).Containers;
    }

    public async Task<ContainerStatus> ContainerStatusAsync(string id, CancellationToken cancellationToken) =>
        (await CallAsync("ContainerStatus", ShortCall, cancellationToken, o => _runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id }, o))).Status;

    public Task ReopenContainerLogAsync(string id, CancellationToken cancellationToken) =>
        CallAsync("ReopenContainerLog", ShortCall, cancellationToken, o => _runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }, o));

    public Task<ExecSyncResponse> ExecSyncAsync(string id, IEnumerable<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new ExecSyncRequest { ContainerId = id, Timeout = (long)Math.Ceiling(timeout.TotalSeconds) };
        request.Cmd.AddRange(command);
        return CallAsync("ExecSync", timeout + TimeSpan.FromSeconds(5), cancellationToken, o => _runtime.ExecSyncAsync(request, o));
    }

    /// <summary>The image as the runtime knows it, or null when it is not present.</summary>
    public async Task<Image?> ImageStatusAsync(string image, CancellationToken cancellationToken) =>
        (await CallAsync("ImageStatus", ShortCall, cancellationToken, o => _images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, o))).Image;

    public async Task<string> PullImageAsync(string image, AuthConfig? auth, CancellationToken cancellationToken)
    {
        var request = new PullImageRequest { Image = new ImageSpec { Image = image } };
        if (auth is not null)
        {
            request.Auth = auth;
        }

        return (await CallAsync("PullImage", LongCall, cancellationToken, o => _images.PullImageAsync(request, o))).ImageRef;
    }

    public async Task<IReadOnlyList<Image>> ListImagesAsync(CancellationToken cancellationToken) =>
        (await CallAsync("ListImages", ShortCall, cancellationToken, o => _images.ListImagesAsync(new ListImagesRequest(), o))).Images;

    public Task RemoveImageAsync(string image, CancellationToken cancellationToken) =>
        CallAsync("RemoveImage", LongCall, cancellationToken, o => _images.RemoveImageAsync(new RemoveImageRequest { Image = new ImageSpec { Image = image } }, o));

    private static async Task<T> CallAsync<T>(string operation, TimeSpan timeout, CancellationToken cancellationToken, Func<CallOptions, AsyncUnaryCall<T>> call)
    {
        try
        {
            using var call1 = call(new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));
            return await call1.ResponseAsync;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            var detail = string.IsNullOrEmpty(e.Status.Detail) ? e.StatusCode.ToString() : e.Status.Detail;
            throw new CriException(operation, e.StatusCode, detail, e);
        }
    }

    public void Dispose() => _channel.Dispose();
}
