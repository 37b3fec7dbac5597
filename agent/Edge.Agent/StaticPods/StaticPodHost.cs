using Edge.Agent.Run;
using Edge.Agent.Runtime;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Pods;

namespace Edge.Agent.StaticPods;

/// <summary>
/// Static pods for <c>edge-agent run</c>: the manifest source, the feed and status decorators the pod
/// runtime is given instead of the channel's, and the mirror pod loop.
/// </summary>
public sealed class StaticPodHost
{
    private readonly string _nodeName;
    private readonly IDesiredStateFeed _channel;
    private readonly IRuntimeLog _log;
    private readonly TimeProvider _time;

    /// <param name="criSocket">The runtime's CRI socket: asked which pods it holds before the server's first snapshot.</param>
    public StaticPodHost(string manifestDir, string nodeName, string criSocket, IDesiredStateFeed channel, IPodStatusSink channelStatus, IRuntimeLog log, TimeProvider time)
    {
        _nodeName = nodeName;
        _channel = channel;
        _log = log;
        _time = time;
        Source = new StaticPodSource(manifestDir, nodeName, log, time);
        DesiredState = new StaticPodFeed(channel, Source, stop => OnlyStaticPodsAsync(criSocket, stop), log, time);
        PodStatus = new StaticPodStatusSink(channelStatus, channel, Source);
    }

    public StaticPodSource Source { get; }

    public StaticPodFeed DesiredState { get; }

    public StaticPodStatusSink PodStatus { get; }

    public Task RunAsync(Edge.Agent.Run.NodeApiClients api, CancellationToken stop)
    {
        _log.Info($"static pods from {Source.Directory}");
        var mirrors = new MirrorPodSync(api, _nodeName, _channel, Source, PodStatus, _log, _time);
        return Task.WhenAll(Source.RunAsync(stop), DesiredState.RunAsync(stop), mirrors.RunAsync(stop));
    }

    /// <summary>Whether every sandbox this agent made belongs to a static pod (config source "file").</summary>
    private static async Task<bool> OnlyStaticPodsAsync(string criSocket, CancellationToken stop)
    {
        using var cri = new CriClient(criSocket);
        var managed = new Dictionary<string, string> { [CriLabels.ManagedBy] = CriLabels.ManagedByValue };
        var sandboxes = await cri.ListPodSandboxesAsync(managed, stop);
        return sandboxes.All(s => s.Annotations.GetValueOrDefault(StaticPodAnnotations.Source) == StaticPodAnnotations.FileSource);
    }
}
