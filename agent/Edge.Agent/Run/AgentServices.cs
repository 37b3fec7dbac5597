using Edge.Agent.Channel;
using Edge.Agent.Identity;
using Edge.Agent.Runtime.Desired;

namespace Edge.Agent.Run;

/// <summary>
/// What <c>edge-agent run</c> runs side by side: the node's status and heartbeat loop
/// (<see cref="AgentRunner"/>) and the node channel. The pod runtime takes its desired state from
/// <see cref="DesiredState"/> and reports through <see cref="PodStatus"/>.
/// </summary>
public sealed class AgentServices(RunOptions options, NodeIdentity identity, string agentVersion, TimeProvider time)
{
    public AgentRunner Runner { get; } = new(options, identity, new AgentLog("Edge.Agent.Run", Console.Error, time), time);

    /// <summary>The node channel over gRPC; each stream presents the identity on disk at the time (renewals included).</summary>
    public NodeChannelClient Channel { get; } = new(
        new GrpcNodeChannel(options.Server, () => NodeIdentity.TryLoad(options.DataDir) ?? throw new AgentException($"{options.DataDir} holds no node identity any more")),
        identity.NodeName, agentVersion, new AgentLog("Edge.Agent.Channel", Console.Error, time), time);

    public IDesiredStateFeed DesiredState => Channel.DesiredState;

    public IPodStatusSink PodStatus => Channel.PodStatus;

    /// <summary>Runs until <paramref name="stop"/>; both loops end on it and retry every failure until then.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Runner.RunAsync(stop), Channel.RunAsync(stop));
}
