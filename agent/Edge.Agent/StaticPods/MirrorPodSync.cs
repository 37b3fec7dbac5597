using System.Net;
using System.Text.Json.Nodes;
using Edge.Agent.Run;
using Edge.Agent.Runtime;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.StaticPods;

/// <summary>
/// Keeps a mirror pod in the API for each static pod, as the node (POST and DELETE, which
/// NodeRestriction allows for mirror pods bound to this node): after every change of the channel's
/// state or of the static pods, and every <see cref="ResyncInterval"/>; with back-off while the
/// server is away. Mirror pods are read from the channel's state, which holds every pod bound here.
/// </summary>
public sealed class MirrorPodSync(
    Edge.Agent.Run.NodeApiClients api, string nodeName, IDesiredStateFeed channel, StaticPodSource source, StaticPodStatusSink status, IRuntimeLog log, TimeProvider time)
{
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(10);

    private readonly Backoff _backoff = new();
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private string? _nodeUid;

    public async Task RunAsync(CancellationToken stop)
    {
        NodeDesiredState? seenState = null;
        IReadOnlyDictionary<string, StaticPod>? seenPods = null;
        while (!stop.IsCancellationRequested)
        {
            var delay = ResyncInterval;
            try
            {
                seenState = channel.Current;
                seenPods = source.Current;
                if (seenState is not null)
                {
                    await SyncAsync(seenState, seenPods, stop);
                    await status.ResendAsync(stop);
                    _backoff.Reset();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ApiCallException or IOException)
            {
                // OperationCanceledException here is the HTTP client's timeout.
                delay = _backoff.NextDelay();
                log.Warn($"mirror pods: {e.Message}; retrying in {delay.TotalSeconds:0} s");
            }

            using var any = CancellationTokenSource.CreateLinkedTokenSource(stop);
            try
            {
                await Task.WhenAny(channel.NextAsync(seenState, any.Token), source.NextAsync(seenPods, any.Token), Task.Delay(delay, time, any.Token));
                // A failure waits its whole back-off: a change is no reason to hammer a server that is away.
                if (delay != ResyncInterval)
                {
                    await Task.Delay(delay, time, stop);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                await any.CancelAsync();
            }
        }
    }

    private async Task SyncAsync(NodeDesiredState state, IReadOnlyDictionary<string, StaticPod> statics, CancellationToken stop)
    {
        var plan = MirrorPodPlan.For(state, statics);
        foreach (var deletion in plan.Deletions)
        {
            await DeleteAsync(deletion, stop);
        }

        foreach (var conflict in plan.Conflicts)
        {
            log.Warn($"static pod {conflict.FullName} ({conflict.File}) gets no mirror pod: a pod of that name that is no mirror exists");
        }

        foreach (var pod in plan.Creations)
        {
            await CreateAsync(pod, stop);
        }
    }

    private async Task DeleteAsync(MirrorDeletion mirror, CancellationToken stop)
    {
        var options = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "DeleteOptions",
            ["gracePeriodSeconds"] = 0,
            ["preconditions"] = new JsonObject { ["uid"] = mirror.Uid },
        };
        var (code, body) = await api.Current.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{mirror.Namespace}/pods/{mirror.Name}", options, "application/json", stop);
        if (code is HttpStatusCode.OK or HttpStatusCode.Accepted)
        {
            log.Info($"mirror pod {mirror.Namespace}/{mirror.Name} ({mirror.Uid}) deleted: {mirror.Reason}");
        }
        else if (code is not (HttpStatusCode.NotFound or HttpStatusCode.Conflict))
        {
            // 404: gone already; 409: the uid no longer matches, a newer pod holds the name.
            throw new ApiCallException($"deleting mirror pod {mirror.Namespace}/{mirror.Name}: {(int)code} {Message(body)}");
        }
    }

    private async Task CreateAsync(StaticPod pod, CancellationToken stop)
    {
        _nodeUid ??= await NodeUidAsync(stop);
        var (code, body) = await api.Current.SendAsync(
            HttpMethod.Post, $"/api/v1/namespaces/{pod.Namespace}/pods", MirrorPodPlan.MirrorOf(pod, nodeName, _nodeUid), "application/json", stop);
        if (code == HttpStatusCode.Created)
        {
            log.Info($"mirror pod {pod.FullName} created for static pod {pod.Uid} ({pod.File})");
        }
        else if (code == HttpStatusCode.Conflict)
        {
            // Exists: the channel has not brought it yet, or an old one is still going; the next pass sees which.
        }
        else if ((int)code is >= 400 and < 500 and not 408 and not 429)
        {
            // Refused for good (NodeRestriction: a static pod may not use Secrets, ConfigMaps or a
            // service account; a missing namespace): said once per pod, the others go on.
            if (_refused.Add(pod.Uid))
            {
                log.Error($"static pod {pod.FullName} ({pod.File}) gets no mirror pod: {(int)code} {Message(body)}");
            }
        }
        else
        {
            throw new ApiCallException($"creating mirror pod {pod.FullName}: {(int)code} {Message(body)}");
        }
    }

    private async Task<string> NodeUidAsync(CancellationToken stop)
    {
        var (code, body) = await api.Current.SendAsync(HttpMethod.Get, $"/api/v1/nodes/{nodeName}", null, "application/json", stop);
        return code == HttpStatusCode.OK && body?["metadata"]?["uid"] is JsonValue uid && uid.TryGetValue<string>(out var text)
            ? text
            : throw new ApiCallException($"reading Node {nodeName}: {(int)code} {Message(body)}");
    }

    private static string Message(JsonNode? body) =>
        body?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : "";
}
