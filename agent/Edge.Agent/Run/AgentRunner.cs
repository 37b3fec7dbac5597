using System.Net;
using System.Text.Json.Nodes;
using Edge.Agent.Health;
using Edge.Agent.Identity;
using Edge.Agent.Runtime.Containerd;
using Edge.Native.HostInfo;

namespace Edge.Agent.Run;

/// <summary>What <c>edge-agent run</c> works from: the config and identity <c>join</c> wrote.</summary>
public sealed record RunOptions(Uri Server, string DataDir, string HostRoot, string Architecture, string KubeletVersion)
{
    /// <summary>The thresholds of the health conditions; kubelet's defaults.</summary>
    public HealthOptions Health { get; init; } = new();
}

/// <summary>
/// <c>edge-agent run</c>, first slice: keeps the Node's status and its Lease alive and the node
/// certificate fresh. One loop, so the three never race over the HTTP client that a renewal replaces.
/// Failures are logged and retried with back-off; only a stop request ends the loop.
/// </summary>
public sealed class AgentRunner(RunOptions options, NodeIdentity identity, AgentLog log, TimeProvider time, Func<CancellationToken, Task<RuntimeReadiness>> runtime)
{
    public static readonly TimeSpan LeaseInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan RenewalInterval = TimeSpan.FromHours(1);

    private readonly NodeIdentity _joined = identity;
    private NodeIdentity _identity = identity;
    private NodeApiClient? _client;
    private string _nodeUid = "";
    private Dictionary<string, NodeCondition> _conditions = [];
    private string? _lastStatus;
    private DateTimeOffset _lastStatusAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRenewalCheck = DateTimeOffset.MinValue;
    private bool _failing;
    private volatile Edge.Agent.Runtime.Pods.NodeFacts _facts = new(identity.NodeName, "", 0, 0);

    private volatile NodePressure _pressure = NodePressure.None;
    private readonly TaskCompletionSource _reported = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the Node's status has been reported the first time.</summary>
    public Task Reported => _reported.Task;

    /// <summary>The pressures the last heartbeat measured, for eviction by the pod runtime.</summary>
    public NodePressure Pressure => _pressure;

    /// <summary>What pods see of the node (downward API): its name, InternalIP and allocatable resources, as last reported.</summary>
    public Edge.Agent.Runtime.Pods.NodeFacts Facts => _facts;

    private string NodeName => _identity.NodeName;

    private string LeasePath => $"/apis/coordination.k8s.io/v1/namespaces/{LeaseBody.Namespace}/leases/{NodeName}";

    public async Task RunAsync(CancellationToken stop)
    {
        log.Info($"starting node {NodeName} against {options.Server}");
        var backoff = new Backoff();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    await RenewCertificateIfDueAsync(stop);
                    await SyncOnceAsync(stop);
                    if (_failing)
                    {
                        log.Info($"reached {options.Server} again; heartbeats resumed");
                        _failing = false;
                    }

                    backoff.Reset();
                    wait = LeaseInterval;
                }
                catch (Exception e) when (!stop.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException or ApiCallException or AgentException or System.Security.Authentication.AuthenticationException)
                {
                    _failing = true;
                    wait = backoff.NextDelay();
                    log.Warn($"heartbeat failed: {Describe(e)}; retrying in {wait.TotalSeconds:0.0} s");
                }

                await Task.Delay(wait, time, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The stop request: leave as asked.
        }
        finally
        {
            _client?.Dispose();
            if (!ReferenceEquals(_identity, _joined))
            {
                _identity.Dispose();
            }

            log.Info($"stopped node {NodeName}");
        }
    }

    /// <summary>At start and hourly; a renewed certificate means a new HTTP client, since pooled connections keep the old one.</summary>
    private async Task RenewCertificateIfDueAsync(CancellationToken stop)
    {
        var now = time.GetUtcNow();
        if (now - _lastRenewalCheck < RenewalInterval)
        {
            return;
        }

        var (current, renewed) = await new NodeCertificateRenewal(options.DataDir, options.Server, time).RenewIfDueAsync(_identity, force: false, stop);
        _lastRenewalCheck = now;
        if (renewed)
        {
            _identity.Dispose();
            _identity = current;
            _client?.Dispose();
            _client = null;
            log.Info($"renewed the node certificate; valid until {current.Certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}");
        }
    }

    private async Task SyncOnceAsync(CancellationToken stop)
    {
        _client ??= new NodeApiClient(options.Server, _identity, time);

        // Read every time, as a kubelet does: the node lifecycle controller marks a silent node's
        // conditions Unknown, and only seeing that lets the next patch put them right at once.
        var (status, node) = await _client.SendAsync(HttpMethod.Get, $"/api/v1/nodes/{NodeName}", null, "", stop);
        Expect(status, node, "get the Node", HttpStatusCode.OK);
        _nodeUid = node?["metadata"]?["uid"]?.GetValue<string>() ?? throw new ApiCallException($"the Node {NodeName} has no uid");
        var stored = NodeStatusPatch.ConditionsOf(node);
        var overwritten = _conditions.Count > 0 && _conditions.Any(c => !stored.TryGetValue(c.Key, out var s) || s.Status != c.Value.Status);
        _conditions = stored;
        if (overwritten)
        {
            log.Info($"the Node's conditions were changed on the server (Ready={(stored.TryGetValue("Ready", out var r) ? r.Status : "missing")}); reporting them again");
            _lastStatus = null;
        }

        await PatchStatusIfDueAsync(stop);
        await RenewLeaseAsync(stop);
    }

    /// <summary>Every <see cref="StatusInterval"/>, and sooner when what would be reported changed.</summary>
    private async Task PatchStatusIfDueAsync(CancellationToken stop)
    {
        var now = time.GetUtcNow();
        var facts = HostInfoReader.Read(options.HostRoot, options.DataDir);
        var readiness = await runtime(stop);
        var signals = NodeSignals.Read(options.HostRoot, options.DataDir, ContainerdPaths.Under(options.DataDir).Root, _client!.ServerClock);
        var states = NodeStatusPatch.States(signals, options.Health, readiness);
        foreach (var flip in NodeStatusPatch.Flips(_conditions, states))
        {
            (flip.Status == (flip.Type == "Ready" ? "True" : "False") ? (Action<string>)log.Info : log.Warn)(
                $"condition {flip.Type} is now {flip.Status} ({flip.Reason}): {flip.Message}; {flip.Observed}");
        }

        var conditions = NodeStatusPatch.Conditions(_conditions, states, now);
        _pressure = NodePressure.From(states, signals, now);
        var hostname = Environment.MachineName;
        var internalIp = _client.LocalAddress;
        _facts = new Edge.Agent.Runtime.Pods.NodeFacts(NodeName, internalIp, facts.Cpus, facts.MemoryKi * 1024m);

        // Compared without the heartbeat times, which change on every build of the patch.
        var fingerprint = NodeStatusPatch.Build(facts, options.Architecture, options.KubeletVersion, readiness.RuntimeVersion, internalIp, hostname, conditions, DateTimeOffset.UnixEpoch).ToJsonString();
        if (fingerprint == _lastStatus && now - _lastStatusAt < StatusInterval)
        {
            return;
        }

        var patch = NodeStatusPatch.Build(facts, options.Architecture, options.KubeletVersion, readiness.RuntimeVersion, internalIp, hostname, conditions, now);
        var (status, node) = await _client.SendAsync(HttpMethod.Patch, $"/api/v1/nodes/{NodeName}/status", patch, "application/merge-patch+json", stop);
        Expect(status, node, "patch the Node status", HttpStatusCode.OK);
        _conditions = NodeStatusPatch.ConditionsOf(node);
        if (_lastStatusAt == DateTimeOffset.MinValue)
        {
            log.Info($"reported node status: {facts.Cpus} CPUs, {facts.MemoryKi}Ki memory, InternalIP {internalIp}, Ready={(readiness.Ready ? "True" : "False: " + readiness.Message)}");
        }

        _lastStatus = fingerprint;
        _lastStatusAt = now;
        _reported.TrySetResult();
    }

    private async Task RenewLeaseAsync(CancellationToken stop)
    {
        var now = time.GetUtcNow();
        var (status, lease) = await _client!.SendAsync(HttpMethod.Get, LeasePath, null, "", stop);
        if (status == HttpStatusCode.NotFound)
        {
            var (created, body) = await _client.SendAsync(
                HttpMethod.Post, $"/apis/coordination.k8s.io/v1/namespaces/{LeaseBody.Namespace}/leases",
                LeaseBody.Create(NodeName, _nodeUid, now), "application/json", stop);
            Expect(created, body, "create the node Lease", HttpStatusCode.Created, HttpStatusCode.OK);
            log.Info($"created Lease {LeaseBody.Namespace}/{NodeName}");
            return;
        }

        Expect(status, lease, "get the node Lease", HttpStatusCode.OK);
        var (updated, answer) = await _client.SendAsync(HttpMethod.Put, LeasePath, LeaseBody.Renew(lease!.AsObject(), NodeName, now), "application/json", stop);
        Expect(updated, answer, "renew the node Lease", HttpStatusCode.OK);
    }

    private static void Expect(HttpStatusCode status, JsonNode? body, string what, params HttpStatusCode[] expected)
    {
        if (!expected.Contains(status))
        {
            var message = body?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : "no message";
            throw new ApiCallException($"the server refused to {what} ({(int)status}): {message}");
        }
    }

    private static string Describe(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message = inner.Message;
        }

        return e is TaskCanceledException ? "the server did not answer in time" : message;
    }
}
