using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Scheduler.Cache;
using Edge.Scheduler.Framework;
using Edge.Scheduler.Model;
using Edge.Scheduler.Plugins;
using Edge.Scheduler.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Scheduler;

/// <summary>
/// The default scheduler. The host feeds it nodes, pods and priority classes as the watch
/// reports them, and implements binding, eviction and reporting; <see cref="RunAsync"/> (or
/// <see cref="ScheduleOne"/>) places pending pods one at a time. Event methods are thread-safe.
/// </summary>
public sealed partial class PodScheduler
{
    readonly Lock _gate = new();
    readonly IPodBinder _binder;
    readonly IPodEvictor _evictor;
    readonly ISchedulingReporter _reporter;
    readonly SchedulerOptions _options;
    readonly TimeProvider _time;
    readonly ILogger _logger;
    readonly Random _random;
    readonly ClusterState _cluster = new();
    readonly SchedulingQueue _queue;
    /// <summary>Pods bound by this scheduler and accounted on their node before the host confirms.</summary>
    readonly HashSet<string> _assumed = new(StringComparer.Ordinal);
    /// <summary>Pods that preempted others, and where.</summary>
    readonly Dictionary<string, string> _nominated = new(StringComparer.Ordinal);
    readonly Dictionary<string, (int Value, bool GlobalDefault)> _priorityClasses = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _wake = new(0);

    public PodScheduler(IPodBinder binder, IPodEvictor evictor, ISchedulingReporter reporter,
        SchedulerOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _binder = binder;
        _evictor = evictor;
        _reporter = reporter;
        _options = options ?? new SchedulerOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
        _queue = new SchedulingQueue(_time, _options);
        var fit = new NodeResourcesFitPlugin();
        var taints = new TaintTolerationPlugin();
        var nodeAffinity = new NodeAffinityPlugin();
        var interPod = new InterPodAffinityPlugin();
        var spread = new TopologySpreadPlugin();
        // Upstream's filter order: cheap, decisive checks first.
        _filters = [new NodeUnschedulablePlugin(), new NodeNamePlugin(), taints, nodeAffinity, new NodePortsPlugin(), fit, spread, interPod];
        _preFilters = [spread, interPod];
        _extensions = [spread, interPod];
        _scorers = [taints, nodeAffinity, fit, spread, interPod, new BalancedAllocationPlugin(), new ImageLocalityPlugin()];
    }

    /// <summary>Pods waiting in the queue (active, backing off or unschedulable).</summary>
    public int PendingCount
    {
        get { lock (_gate) return _queue.Count; }
    }

    /// <summary>Pods waiting for a cluster change.</summary>
    public int UnschedulableCount
    {
        get { lock (_gate) return _queue.UnschedulableCount; }
    }

    public void AddOrUpdateNode(JsonObject node)
    {
        var parsed = SchedulingNode.FromObject(node);
        lock (_gate)
        {
            _cluster.AddOrUpdateNode(parsed);
            _queue.MoveAllUnschedulable();
        }
        Wake();
    }

    public void RemoveNode(string name)
    {
        lock (_gate)
            _cluster.RemoveNode(name);
    }

    /// <summary>
    /// A pod added or changed. Bound pods are accounted on their node (confirming an assumed
    /// one); pending pods of this scheduler are queued; finished pods free their node.
    /// </summary>
    public void AddOrUpdatePod(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject;
        if (string.IsNullOrEmpty(ObjectFields.String(spec, "nodeName")) &&
            ObjectFields.String(spec, "schedulerName") is { Length: > 0 } schedulerName && schedulerName != _options.SchedulerName)
        {
            // As upstream's informer filter: a pending pod another scheduler is responsible for is
            // none of this one's business (schedulerName is immutable), and not worth a full parse.
            var key = (pod.Namespace() ?? "default") + "/" + (pod.Name() ?? "");
            lock (_gate)
            {
                _queue.Delete(key);
                ClearNomination(key);
            }

            return;
        }

        var parsed = SchedulingPod.FromObject(pod);
        lock (_gate)
        {
            parsed.Priority = ResolvePriority(parsed);
            if (parsed.NodeName.Length > 0)
            {
                _queue.Delete(parsed.Key);
                ClearNomination(parsed.Key);
                _assumed.Remove(parsed.Key);
                if (parsed.Finished)
                {
                    if (_cluster.RemovePod(parsed.Key) is not null)
                        _queue.MoveAllUnschedulable();
                }
                else
                {
                    var known = _cluster.BoundPod(parsed.Key) is not null;
                    _cluster.AddOrUpdatePod(parsed);
                    if (!known)
                        _queue.MoveAllUnschedulable(podAdded: true);
                }
            }
            else if (_assumed.Contains(parsed.Key))
            {
                // Our binding has not reached the watch yet; this is an older version of the pod.
            }
            else if (IsOurs(parsed) && !parsed.Terminating && !parsed.Finished)
            {
                _queue.AddOrUpdate(parsed);
            }
            else
            {
                _queue.Delete(parsed.Key);
                ClearNomination(parsed.Key);
            }
        }
        Wake();
    }

    public void RemovePod(string ns, string name)
    {
        var key = ns + "/" + name;
        lock (_gate)
        {
            _queue.Delete(key);
            ClearNomination(key);
            _assumed.Remove(key);
            if (_cluster.RemovePod(key) is not null)
                _queue.MoveAllUnschedulable();
        }
        Wake();
    }

    /// <summary>A PriorityClass (<c>value</c>, <c>globalDefault</c>); it applies to pods parsed after it.</summary>
    public void AddOrUpdatePriorityClass(JsonObject priorityClass)
    {
        var name = priorityClass.Name() ?? "";
        var value = (int)Math.Clamp(ObjectFields.Long(priorityClass, "value") ?? 0, int.MinValue, int.MaxValue);
        var globalDefault = priorityClass["globalDefault"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        lock (_gate)
            _priorityClasses[name] = (value, globalDefault);
    }

    public void RemovePriorityClass(string name)
    {
        lock (_gate)
            _priorityClasses.Remove(name);
    }

    bool IsOurs(SchedulingPod pod) => pod.SchedulerName.Length == 0 || pod.SchedulerName == _options.SchedulerName;

    /// <summary>spec.priority (set by admission), else the named class, else the global default class, else 0.</summary>
    int ResolvePriority(SchedulingPod pod)
    {
        if (pod.SpecPriority is { } priority)
            return priority;
        if (pod.PriorityClassName.Length > 0 && _priorityClasses.TryGetValue(pod.PriorityClassName, out var named))
            return named.Value;
        foreach (var (value, globalDefault) in _priorityClasses.Values)
        {
            if (globalDefault)
                return value;
        }
        return 0;
    }

    void ClearNomination(string key)
    {
        if (_nominated.Remove(key, out var nodeName) && _cluster.Node(nodeName) is { } node)
            node.NominatedPods.RemoveAll(p => p.Key == key);
    }

    void Wake()
    {
        if (_wake.CurrentCount == 0)
            _wake.Release();
    }
}
