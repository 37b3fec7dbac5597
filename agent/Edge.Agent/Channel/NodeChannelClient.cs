using Edge.Agent.Logs;
using Edge.Agent.Run;
using Edge.Agent.Runtime.Desired;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Channel;

/// <summary>
/// The agent's end of the node channel, over any <see cref="INodeChannelTransport"/>: keeps one
/// stream open (reconnecting with back-off, 1 s doubling to 30 s with jitter), says hello with the
/// last revision it applied so the server resumes instead of re-sending everything, publishes each
/// snapshot and delta to <see cref="DesiredState"/> and acks it, and sends what the runtime queues
/// on <see cref="PodStatus"/> until the server acks it, and serves the server's log requests from
/// <paramref name="logs"/> (streams live as long as the connection). Only a stop request ends it.
/// </summary>
public sealed class NodeChannelClient(
    INodeChannelTransport transport, string nodeName, string agentVersion, IContainerLogSource logs, AgentLog log, TimeProvider time, Backoff backoff)
{
    /// <summary>How often an idle agent tells the server it is alive (the server gives up after 90 s of silence).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    private readonly DesiredStateFeed _feed = new();
    private readonly PodStatusQueue _statuses = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ulong _sequence;

    public NodeChannelClient(INodeChannelTransport transport, string nodeName, string agentVersion, IContainerLogSource logs, AgentLog log, TimeProvider time)
        : this(transport, nodeName, agentVersion, logs, log, time, new Backoff())
    {
    }

    /// <summary>What the server wants this node to run; for the pod runtime.</summary>
    public IDesiredStateFeed DesiredState => _feed;

    /// <summary>Where the pod runtime reports pod status and confirms deletions.</summary>
    public IPodStatusSink PodStatus => _statuses;

    /// <summary>Statuses and deletions not yet acked by the server.</summary>
    public int Unacked => _statuses.Count;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ConnectOnceAsync(stop);
                log.Warn("the server closed the node channel; reconnecting");
            }
            catch (NodeChannelException e) when (!stop.IsCancellationRequested)
            {
                log.Warn($"node channel: {e.Message}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            var wait = backoff.NextDelay();
            log.Info($"reconnecting the node channel in {wait.TotalSeconds:0.0} s");
            try
            {
                await Task.Delay(wait, time, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        log.Info("node channel stopped");
    }

    private async Task ConnectOnceAsync(CancellationToken stop)
    {
        await using var stream = await transport.OpenAsync(stop);
        var acked = _feed.Current?.Revision ?? 0;
        _statuses.Reconnected();
        await SendAsync(stream, new AgentMessage { Sequence = NextSequence(), Hello = new Hello { NodeName = nodeName, AckedRevision = acked, AgentVersion = agentVersion } }, stop);
        log.Info(acked > 0 ? $"node channel: hello sent; resuming after revision {acked}" : "node channel: hello sent; waiting for the first snapshot");

        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var streams = new LogStreams(logs, time, (chunk, token) => SendAsync(stream, new AgentMessage { Sequence = NextSequence(), LogChunk = chunk }, token));
        var receiving = ReceiveLoopAsync(stream, streams, connection.Token);
        var sending = SendLoopAsync(stream, connection.Token);
        var first = await Task.WhenAny(receiving, sending);
        await connection.CancelAsync();
        await Task.WhenAll(receiving, sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await streams.StopAllAsync();
        await first;
    }

    private async Task ReceiveLoopAsync(INodeChannelStream stream, LogStreams streams, CancellationToken cancellationToken)
    {
        while (await stream.ReceiveAsync(cancellationToken) is { } message)
        {
            // The server is answering: the next failure starts the back-off from 1 s again.
            backoff.Reset();
            switch (message.BodyCase)
            {
                case ServerMessage.BodyOneofCase.Snapshot:
                    var snapshot = DesiredStateMapping.FromSnapshot(message.Snapshot);
                    _feed.Publish(snapshot);
                    log.Info($"desired state: snapshot at revision {snapshot.Revision} ({snapshot.Pods.Count} pods, {snapshot.ConfigMaps.Count} configmaps, {snapshot.Secrets.Count} secrets, podCIDR {snapshot.PodCidr ?? "none"})");
                    await SendAsync(stream, new AgentMessage { Sequence = NextSequence(), Ack = new Ack { Revision = snapshot.Revision } }, cancellationToken);
                    break;

                case ServerMessage.BodyOneofCase.Delta:
                    var current = _feed.Current ?? throw new NodeChannelException("the server sent a delta before any snapshot");
                    var next = DesiredStateMapping.Apply(current, message.Delta);
                    _feed.Publish(next);
                    await SendAsync(stream, new AgentMessage { Sequence = NextSequence(), Ack = new Ack { Revision = next.Revision } }, cancellationToken);
                    break;

                case ServerMessage.BodyOneofCase.StatusAck:
                    foreach (var failure in message.StatusAck.Failures)
                    {
                        log.Warn($"the server refused the update of pod {failure.Pod.Namespace}/{failure.Pod.Name} ({failure.Code}): {failure.Message}");
                    }

                    _statuses.Settle(message.StatusAck);
                    break;

                case ServerMessage.BodyOneofCase.LogRequest:
                    streams.Start(message.LogRequest, cancellationToken);
                    break;

                case ServerMessage.BodyOneofCase.LogCredit:
                    streams.Credit(message.LogCredit.StreamId, message.LogCredit.Chunks);
                    break;

                case ServerMessage.BodyOneofCase.LogCancel:
                    streams.Cancel(message.LogCancel.StreamId);
                    break;

                case ServerMessage.BodyOneofCase.Error:
                    log.Warn($"the server reported a node channel error ({message.Error.Code}): {message.Error.Message}");
                    break;
            }
        }
    }

    /// <summary>Sends what the runtime queued as soon as it is queued, and a heartbeat when nothing was for a while.</summary>
    private async Task SendLoopAsync(INodeChannelStream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sequence = NextSequence();
            if (_statuses.TakeStatuses(sequence) is { } statuses)
            {
                await SendAsync(stream, new AgentMessage { Sequence = sequence, PodStatus = statuses }, cancellationToken);
                continue;
            }

            sequence = NextSequence();
            if (_statuses.TakeDeletions(sequence) is { } deletions)
            {
                await SendAsync(stream, new AgentMessage { Sequence = sequence, PodDeleted = deletions }, cancellationToken);
                continue;
            }

            if (!await _statuses.WaitAsync(HeartbeatInterval, time, cancellationToken))
            {
                await SendAsync(stream, new AgentMessage { Sequence = NextSequence(), Heartbeat = new Heartbeat() }, cancellationToken);
            }
        }
    }

    /// <summary>Sequence numbers are unique per agent process; a status ack names the one it answers.</summary>
    private ulong NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>One send at a time: acks come from the receive loop, batches from the send loop.</summary>
    private async Task SendAsync(INodeChannelStream stream, AgentMessage message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await stream.SendAsync(message, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }
}
