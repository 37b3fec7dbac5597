using System.Text.Json.Nodes;
using Edge.Agent.Channel;
using Edge.Agent.Runtime;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.StaticPods;

/// <summary>
/// What the pod runtime runs: the channel's pods minus mirror pods (their static pod runs under
/// its own uid instead), plus the static pods.
/// <para>
/// Without a snapshot from the server the runtime would take any state as complete and stop every
/// other pod it finds (the orphan sweep follows the first state). So before the channel's first
/// snapshot, a static-only state is published only once <paramref name="runtimeHoldsOnlyStaticPods"/>
/// says the runtime has no sandbox of an API pod (a fresh node, or one whose API pods are gone);
/// otherwise static pods wait for the server, and the API pods keep running untouched. kubelet avoids
/// the same hazard by not sweeping until all its sources were seen.
/// </para>
/// </summary>
public sealed class StaticPodFeed(
    IDesiredStateFeed channel, StaticPodSource source, Func<CancellationToken, Task<bool>> runtimeHoldsOnlyStaticPods, IRuntimeLog log, TimeProvider time)
    : IDesiredStateFeed
{
    /// <summary>How often the runtime is asked again while static pods wait for the server's first snapshot.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    private readonly DesiredStateFeed _published = new();

    public NodeDesiredState? Current => _published.Current;

    public Task<NodeDesiredState> NextAsync(NodeDesiredState? seen, CancellationToken cancellationToken) => _published.NextAsync(seen, cancellationToken);

    /// <summary>Follows the channel and the source until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await FollowAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task FollowAsync(CancellationToken stop)
    {
        NodeDesiredState? inner = null;
        IReadOnlyDictionary<string, StaticPod>? statics = null;
        var published = false;
        var waitLogged = false;
        while (!stop.IsCancellationRequested)
        {
            var nowInner = channel.Current;
            var nowStatics = source.Current;
            var mayPublish = nowInner is not null || published || await MayRunWithoutServerAsync(stop);
            if (mayPublish && (!published || !ReferenceEquals(nowInner, inner) || !ReferenceEquals(nowStatics, statics)))
            {
                _published.Publish(Compose(nowInner, nowStatics));
                published = true;
            }
            else if (!mayPublish && !waitLogged && nowStatics.Count > 0)
            {
                log.Info("static pods wait for the server's first snapshot: pods of the API are on this node and would be stopped without it");
                waitLogged = true;
            }

            inner = nowInner;
            statics = nowStatics;
            using var any = CancellationTokenSource.CreateLinkedTokenSource(stop);
            try
            {
                var waits = new List<Task> { channel.NextAsync(nowInner, any.Token), source.NextAsync(nowStatics, any.Token) };
                if (!published)
                {
                    waits.Add(Task.Delay(RecheckInterval, time, any.Token));
                }

                await Task.WhenAny(waits);
            }
            finally
            {
                await any.CancelAsync();
            }
        }
    }

    private async Task<bool> MayRunWithoutServerAsync(CancellationToken stop)
    {
        try
        {
            return await runtimeHoldsOnlyStaticPods(stop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The runtime is not up yet: nothing can be known about its pods, so nothing is published.
            log.Warn($"static pods: cannot list the runtime's pods yet ({e.Message})");
            return false;
        }
    }

    /// <summary>The runtime's state: the channel's (or an empty one) without mirror pods, with the static pods.</summary>
    public static NodeDesiredState Compose(NodeDesiredState? channel, IReadOnlyDictionary<string, StaticPod> statics)
    {
        var basis = channel ?? NodeDesiredState.Empty;
        var pods = new Dictionary<string, JsonObject>(basis.Pods.Count + statics.Count, StringComparer.Ordinal);
        foreach (var (uid, pod) in basis.Pods)
        {
            if (StaticPodAnnotations.MirrorOf(pod) is null)
            {
                pods[uid] = pod;
            }
        }

        foreach (var (uid, pod) in statics)
        {
            pods[uid] = pod.Pod;
        }

        return basis with { Pods = pods };
    }
}
