using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Pods.Probes;
using Edge.Agent.Runtime.Pods.Volumes;

namespace Edge.Agent.Runtime.Pods;

/// <summary>What every pod worker shares: the runtime, the node's facts, and the ways out (status, events, log).</summary>
public sealed class PodContext(
    RuntimeOptions options,
    CriClient cri,
    IPodStatusSink status,
    IEventRecorder events,
    Func<NodeFacts> nodeFacts,
    IRuntimeLog log,
    TimeProvider time,
    Func<PressureSignal>? pressure = null,
    IServiceAccountTokenSource? tokens = null)
{
    /// <summary>The node's resource pressure (from its conditions); none when nobody measures it.</summary>
    public PressureSignal Pressure => pressure?.Invoke() ?? PressureSignal.None;

    public RuntimeOptions Options { get; } = options;

    public CriClient Cri { get; } = cri;

    public IPodStatusSink Status { get; } = status;

    public IEventRecorder Events { get; } = events;

    public IRuntimeLog Log { get; } = log;

    public TimeProvider Time { get; } = time;

    public ImagePuller Images { get; } = new(cri);

    public PodVolumes Volumes { get; } = new(options.PodsDir);

    /// <summary>Projected service account tokens; without a source, a pod that needs one fails to mount.</summary>
    public ServiceAccountTokens Tokens { get; } = new(tokens, time);

    public SandboxConfigFactory Sandboxes { get; } = new(options);

    /// <summary>Probes reach pod IPs over the node's bridge: no proxy, no connection reuse between attempts.</summary>
    public ProbeRunner Probes { get; } = new(cri, new HttpClient(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        AllowAutoRedirect = false,
        // kubelet does not verify the certificate of an HTTPS probe or hook (pods serve self-signed ones).
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    }));

    public NodeFacts Node => nodeFacts();
}

/// <summary>The node's side of the downward API: its name, address and allocatable resources.</summary>
public sealed record NodeFacts(string Name, string HostIp, decimal AllocatableCpu, decimal AllocatableMemory);
