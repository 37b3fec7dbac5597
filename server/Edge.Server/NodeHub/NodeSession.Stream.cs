using System.Buffers;
using System.IO.Pipelines;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;
using Google.Protobuf;

namespace Edge.Server.NodeHub;

public sealed partial class NodeSession
{
    /// <summary>The agent's messages after the hello; ends normally when the agent closes its side.</summary>
    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        while (await ReadAsync(IdleTimeout, cancellationToken) is { } message)
        {
            switch (message.BodyCase)
            {
                case AgentMessage.BodyOneofCase.PodStatus:
                    var statusAck = new StatusAck { AckedSequence = message.Sequence };
                    foreach (var pod in message.PodStatus.Pods)
                    {
                        AddFailure(statusAck, "status", await parts.Writer.WriteStatusAsync(user, pod, cancellationToken));
                    }

                    Enqueue(new ServerMessage { StatusAck = statusAck });
                    break;

                case AgentMessage.BodyOneofCase.PodDeleted:
                    var deletionAck = new StatusAck { AckedSequence = message.Sequence };
                    foreach (var pod in message.PodDeleted.Pods)
                    {
                        AddFailure(deletionAck, "deletion", await parts.Writer.ConfirmDeletedAsync(user, pod, cancellationToken));
                    }

                    Enqueue(new ServerMessage { StatusAck = deletionAck });
                    break;

                case AgentMessage.BodyOneofCase.Ack when message.Ack.Revision > Volatile.Read(ref _sentRevision):
                    Enqueue(new ServerMessage
                    {
                        Error = new Error { Code = GrpcStatusCodes.InvalidArgument, Message = $"ack of revision {message.Ack.Revision}, which was never sent" },
                    });
                    break;

                case AgentMessage.BodyOneofCase.LogChunk:
                    DeliverLog(message.LogChunk);
                    break;

                case AgentMessage.BodyOneofCase.Ack or AgentMessage.BodyOneofCase.Heartbeat:
                    // An ack matters on the next connect (the agent sends it in its hello); both reset the idle timer.
                    break;

                default:
                    Enqueue(new ServerMessage
                    {
                        Error = new Error { Code = GrpcStatusCodes.Unimplemented, Message = $"unexpected message {message.BodyCase}" },
                    });
                    break;
            }
        }
    }

    private void AddFailure(StatusAck ack, string what, WriteFailure? failure)
    {
        if (failure is not null)
        {
            ack.Failures.Add(failure);
            NodeHubLog.WriteFailed(logger, _node, what, failure.Pod.Namespace, failure.Pod.Name, failure.Code, failure.Message);
        }
    }

    /// <summary>The outbox never waits: a full one means the agent stopped reading, and the stream ends.</summary>
    private void Enqueue(ServerMessage message)
    {
        if (!TryEnqueue(message) && !_outbox.Reader.Completion.IsCompleted)
        {
            throw new NodeChannelException(GrpcStatusCodes.ResourceExhausted,
                $"the node did not read its last {OutboxCapacity} messages; reconnect to resume");
        }
    }

    /// <summary>Numbers and queues a message; the lock keeps sequence numbers in outbox order, as HTTP requests queue too.</summary>
    private bool TryEnqueue(ServerMessage message)
    {
        lock (_outbox)
        {
            message.Sequence = ++_sequence;
            return _outbox.Writer.TryWrite(message);
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(cancellationToken))
        {
            GrpcFrame.Write(output, message);
            var flushed = await output.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>The next message; null when the agent ended its side cleanly. Silence past <paramref name="timeout"/> ends the stream.</summary>
    private async Task<AgentMessage?> ReadAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new NodeChannelException(GrpcStatusCodes.Unavailable, $"no message from the node for {timeout.TotalSeconds:0} s");
            }

            var buffer = result.Buffer;
            ReadOnlySequence<byte> payload;
            bool complete;
            try
            {
                complete = GrpcFrame.TryRead(ref buffer, NodeChannelProtocol.MaxMessageBytes, out payload);
            }
            catch (GrpcFrameException e)
            {
                throw new NodeChannelException(e.StatusCode, e.Message);
            }

            if (complete)
            {
                try
                {
                    return AgentMessage.Parser.ParseFrom(payload);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new NodeChannelException(GrpcStatusCodes.Internal, $"cannot parse the node's message: {e.Message}");
                }
                finally
                {
                    input.AdvanceTo(buffer.Start);
                }
            }

            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? null : throw new NodeChannelException(GrpcStatusCodes.Internal, "the stream ended inside a message");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
