using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.StaticPods;

/// <summary>
/// Status from the runtime to the channel, with a static pod's status sent as its mirror pod's
/// (the mirror's namespace, name and uid, found in the channel's state by its
/// <c>kubernetes.io/config.mirror</c> hash). Until a mirror exists nothing is sent; the latest status
/// is kept and <see cref="ResendAsync"/> sends it once one appears, because the runtime reports a
/// status only when it changes. A static pod's deletion is the node's own business: never confirmed.
/// </summary>
public sealed class StaticPodStatusSink(IPodStatusSink channel, IDesiredStateFeed channelState, StaticPodSource source) : IPodStatusSink
{
    /// <summary>By static uid: the latest status and the mirror uid it was last sent to.</summary>
    private readonly ConcurrentDictionary<string, (PodStatusUpdate Update, string? SentTo)> _latest = new(StringComparer.Ordinal);

    public async ValueTask ReportAsync(PodStatusUpdate update, CancellationToken cancellationToken)
    {
        if (!source.IsStatic(update.Uid))
        {
            await channel.ReportAsync(update, cancellationToken);
            return;
        }

        var mirror = FindMirror(update.Uid);
        _latest[update.Uid] = (update, mirror?.Uid);
        if (mirror is not null)
        {
            await channel.ReportAsync(update with { Namespace = mirror.Namespace, Name = mirror.Name, Uid = mirror.Uid }, cancellationToken);
        }
    }

    public ValueTask ConfirmDeletedAsync(string @namespace, string name, string uid, CancellationToken cancellationToken)
    {
        if (source.IsStatic(uid))
        {
            _latest.TryRemove(uid, out _);
            return ValueTask.CompletedTask;
        }

        return channel.ConfirmDeletedAsync(@namespace, name, uid, cancellationToken);
    }

    /// <summary>Sends each static pod's latest status to a mirror that has not had it yet (a new or re-created one).</summary>
    public async ValueTask ResendAsync(CancellationToken cancellationToken)
    {
        var current = source.Current;
        foreach (var (uid, (update, sentTo)) in _latest)
        {
            if (!current.ContainsKey(uid))
            {
                _latest.TryRemove(uid, out _);
                continue;
            }

            if (FindMirror(uid) is { } mirror && mirror.Uid != sentTo)
            {
                _latest[uid] = (update, mirror.Uid);
                await channel.ReportAsync(update with { Namespace = mirror.Namespace, Name = mirror.Name, Uid = mirror.Uid }, cancellationToken);
            }
        }
    }

    /// <summary>The live mirror pod of static pod <paramref name="hash"/> in the channel's state, if any.</summary>
    private MirrorRef? FindMirror(string hash)
    {
        foreach (var pod in channelState.Current?.Pods.Values ?? [])
        {
            if (StaticPodAnnotations.MirrorOf(pod) == hash && pod["metadata"] is JsonObject metadata && metadata["deletionTimestamp"] is null
                && metadata["uid"]?.GetValue<string>() is { } uid)
            {
                return new MirrorRef(metadata["namespace"]?.GetValue<string>() ?? "default", metadata["name"]?.GetValue<string>() ?? "", uid);
            }
        }

        return null;
    }

    private sealed record MirrorRef(string Namespace, string Name, string Uid);
}
