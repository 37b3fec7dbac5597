using System.IO.Pipelines;
using System.Threading.Channels;
using Edge.Api.Errors;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Watch;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Edge.Server.NodeHub;

/// <summary>
/// One agent's stream: a hello, then a snapshot (no ack, or one older than the store still holds)
/// or only the deltas after the acked revision; meanwhile the agent's status batches and deletion
/// confirmations are written and acked. Three loops share the stream: reading the agent, turning
/// watch events into deltas, and writing to the agent from a bounded outbox. A stalled agent fills
/// the outbox (or its watch subscription) and is cut off; it reconnects and resumes from its ack.
/// </summary>
public sealed partial class NodeSession(
    PipeReader input, PipeWriter output, UserInfo user, NodeHubParts parts, ILogger logger, TimeProvider time)
{
    /// <summary>The agent must say hello this soon after opening the stream.</summary>
    public static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Agents heartbeat every 30 s; three missed ones mean the agent (or its network) is gone.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How often an agent hears of store revisions that did not concern it, so its ack stays resumable.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(30);

    /// <summary>Messages waiting for a slow agent before it is cut off.</summary>
    public const int OutboxCapacity = 64;

    private const int MaxEventsPerDelta = 1_000;

    private readonly Channel<ServerMessage> _outbox = Channel.CreateBounded<ServerMessage>(
        new BoundedChannelOptions(OutboxCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly string _node = user.NodeName!;
    private ulong _sequence;
    private long _sentRevision;

    /// <summary>Runs the stream to its end; returns the gRPC status to end it with.</summary>
    public async Task<(int Code, string Message)> RunAsync(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = Task.CompletedTask;
        try
        {
            var hello = await ReadHelloAsync(session.Token);
            var (view, subscription) = await StartAsync(hello, session.Token);
            using (subscription)
            {
                writing = WriteLoopAsync(session.Token);
                var feeding = FeedLoopAsync(view, subscription, session.Token);
                var reading = ReadLoopAsync(session.Token);
                var first = await Task.WhenAny(writing, feeding, reading);
                _outbox.Writer.TryComplete();
                await session.CancelAsync();
                await Task.WhenAll(writing, feeding, reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await first;
                return (GrpcStatusCodes.Ok, "");
            }
        }
        catch (NodeChannelException e)
        {
            return (e.StatusCode, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (GrpcStatusCodes.Unavailable, "the server is stopping or the agent went away");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            NodeHubLog.Failed(logger, _node, e);
            return (GrpcStatusCodes.Internal, "the node channel failed on the server; reconnect");
        }
        finally
        {
            _outbox.Writer.TryComplete();
            FailLogs();
            await session.CancelAsync();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<Hello> ReadHelloAsync(CancellationToken cancellationToken)
    {
        var first = await ReadAsync(HelloTimeout, cancellationToken)
            ?? throw new NodeChannelException(GrpcStatusCodes.InvalidArgument, "the stream ended before the hello");
        if (first.BodyCase != AgentMessage.BodyOneofCase.Hello)
        {
            throw new NodeChannelException(GrpcStatusCodes.InvalidArgument, $"the first message must be a hello, not {first.BodyCase}");
        }

        if (first.Hello.NodeName != _node)
        {
            throw new NodeChannelException(GrpcStatusCodes.PermissionDenied,
                $"this certificate is node '{_node}'; it cannot speak for node '{first.Hello.NodeName}'");
        }

        return first.Hello;
    }

    /// <summary>Resumes after the agent's ack when the watch cache and the store still hold it; else loads and sends a snapshot.</summary>
    private async Task<(NodeView View, WatchSubscription Subscription)> StartAsync(Hello hello, CancellationToken cancellationToken)
    {
        var acked = hello.AckedRevision;
        if (acked > 0 && parts.WatchCache.Subscribe(NodeView.Watched, null, acked) is { } resumed)
        {
            try
            {
                var view = await LoadAsync(acked, cancellationToken);
                _sentRevision = acked;
                NodeHubLog.Resumed(logger, _node, hello.AgentVersion, acked);
                return (view, resumed);
            }
            catch (ApiException e) when (e.Status.Code is 410 or 504)
            {
                // Compacted away, or newer than this store (a restored server): start over.
                resumed.Dispose();
            }
            catch
            {
                resumed.Dispose();
                throw;
            }
        }

        var (pods, revision) = await parts.Reader.PodsAsync(_node, 0, cancellationToken);
        var subscription = parts.WatchCache.Subscribe(NodeView.Watched, null, revision)
            ?? throw new NodeChannelException(GrpcStatusCodes.Unavailable, "the watch cache is resetting; reconnect");
        try
        {
            var fresh = new NodeView(_node, parts.Reader.GetAsync);
            await fresh.LoadAsync(pods, await parts.Reader.GetAsync(Api.Resources.KnownResources.Nodes, null, _node, revision, cancellationToken), revision, cancellationToken);
            Enqueue(new ServerMessage { Snapshot = fresh.ToSnapshot() });
            _sentRevision = revision;
            NodeHubLog.Snapshot(logger, _node, hello.AgentVersion, revision, fresh.Pods.Count);
            return (fresh, subscription);
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
    }

    private async Task<NodeView> LoadAsync(long revision, CancellationToken cancellationToken)
    {
        var (pods, _) = await parts.Reader.PodsAsync(_node, revision, cancellationToken);
        var view = new NodeView(_node, parts.Reader.GetAsync);
        await view.LoadAsync(pods, await parts.Reader.GetAsync(Api.Resources.KnownResources.Nodes, null, _node, revision, cancellationToken), revision, cancellationToken);
        return view;
    }

    /// <summary>Watch events become deltas: all events already queued go into one, plus a bare revision now and then.</summary>
    private async Task FeedLoopAsync(NodeView view, WatchSubscription subscription, CancellationToken cancellationToken)
    {
        var delta = new DeltaBuilder();
        Task<bool>? waiting = null;
        Task? progress = null;
        while (true)
        {
            waiting ??= subscription.Events.WaitToReadAsync(cancellationToken).AsTask();
            progress ??= Task.Delay(ProgressInterval, time, cancellationToken);
            if (await Task.WhenAny(waiting, progress) == waiting)
            {
                if (!await waiting)
                {
                    throw new NodeChannelException(GrpcStatusCodes.Unavailable, subscription.Overflowed
                        ? "the node fell behind the store's changes; reconnect to resume"
                        : "the store's changes stopped; reconnect");
                }

                waiting = null;
                for (var count = 0; count < MaxEventsPerDelta && subscription.Events.TryRead(out var cached); count++)
                {
                    await view.ApplyAsync(cached.Resource, cached.Current, cached.Previous, cached.Revision, delta, cancellationToken);
                }

                if (delta.IsEmpty)
                {
                    continue;
                }
            }
            else
            {
                await progress;
                progress = null;
                if (view.Revision <= Volatile.Read(ref _sentRevision))
                {
                    continue;
                }
            }

            Enqueue(new ServerMessage { Delta = delta.Build(view.Revision) });
            Volatile.Write(ref _sentRevision, view.Revision);
            delta.Clear();
        }
    }
}
