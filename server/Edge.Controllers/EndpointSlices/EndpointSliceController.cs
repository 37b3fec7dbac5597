using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.EndpointSlices;

/// <summary>
/// Keeps the EndpointSlices of each Service with a selector (upstream
/// <c>pkg/controller/endpointslice</c>): the pods it selects that have an IPv4 address, as
/// endpoints with ready / serving / terminating conditions, their node, zone and pod reference,
/// in slices of at most <see cref="MaxEndpointsPerSlice"/> that share one set of ports (a named
/// targetPort may resolve differently on different pods). Slices are owned by their Service, so
/// the garbage collector removes them with it. Slices are written only when they change.
/// </summary>
public sealed class EndpointSliceController : Controller
{
    public const int MaxEndpointsPerSlice = 100;
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ManagedBy = "endpointslice-controller.k8s.io";
    private const string ZoneLabel = "topology.kubernetes.io/zone";

    private static readonly ResourceType Slices = KnownResources.EndpointSlices;
    private static readonly ResourceType Services = KnownResources.Services;

    private readonly IClusterClient _client;
    private readonly Informer _services;
    private readonly Informer _pods;
    private readonly Informer _nodes;
    private readonly Informer _slices;
    private readonly Expectations _expectations;

    public EndpointSliceController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("endpointslice-controller", loggers.CreateLogger("endpointslice-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _services = informers.For(Services);
        _pods = informers.For(KnownResources.Pods);
        _nodes = informers.For(KnownResources.Nodes);
        _slices = informers.For(Slices);
        _expectations = new Expectations(time);
        _services.AddHandler(new InformerHandler(
            added: s => Enqueue(Informer.Key(s)),
            updated: (_, s) => Enqueue(Informer.Key(s)),
            deleted: s =>
            {
                _expectations.Forget(Informer.Key(s));
                Enqueue(Informer.Key(s));
            }));
        _pods.AddHandler(new InformerHandler(
            added: p => EnqueueSelecting(p, null),
            updated: (old, p) => EnqueueSelecting(p, old),
            deleted: p => EnqueueSelecting(p, null)));
        _nodes.AddHandler(new InformerHandler(updated: NodeUpdated));
        _slices.AddHandler(new InformerHandler(
            added: s => SliceObserved(s, added: true),
            updated: (_, s) => SliceObserved(s, added: false),
            deleted: s =>
            {
                if (ServiceKey(s) is { } key)
                {
                    _expectations.ObservedDelete(key);
                    Enqueue(key);
                }
            }));
    }

    private void SliceObserved(JsonObject slice, bool added)
    {
        if (ServiceKey(slice) is { } key)
        {
            if (added)
            {
                _expectations.ObservedAdd(key);
            }

            Enqueue(key);
        }
    }

    /// <summary>The Service a slice of ours belongs to; null for slices others manage.</summary>
    private static string? ServiceKey(JsonObject slice) =>
        ObjectFields.String(slice.Labels(), ManagedByLabel) == ManagedBy && ObjectFields.String(slice.Labels(), ServiceNameLabel) is { } service
            ? Informer.Key(slice.Namespace(), service)
            : null;

    private void EnqueueSelecting(JsonObject pod, JsonObject? old)
    {
        foreach (var service in _services.List(pod.Namespace()))
        {
            if (ServiceEndpoints.Selector(service) is { } selector &&
                (selector.Matches(pod.Labels()) || (old is not null && selector.Matches(old.Labels()))))
            {
                Enqueue(Informer.Key(service));
            }
        }
    }

    /// <summary>A node's zone is in every endpoint on it: a changed zone touches every Service (rare).</summary>
    private void NodeUpdated(JsonObject old, JsonObject node)
    {
        if (ObjectFields.String(old.Labels(), ZoneLabel) != ObjectFields.String(node.Labels(), ZoneLabel))
        {
            foreach (var service in _services.List())
            {
                Enqueue(Informer.Key(service));
            }
        }
    }

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var service = _services.Get(key);
        if (service is null || !_expectations.Satisfied(key))
        {
            // A deleted Service's slices go with it through their ownerReferences.
            return;
        }

        var ns = service.Namespace()!;
        var name = service.Name()!;
        var existing = _slices.List(ns).Where(s => ServiceKey(s) == key).ToList();
        var selector = ServiceEndpoints.Selector(service);
        if (selector is null || service.DeletionTimestamp() is not null)
        {
            await DeleteAsync(key, existing, cancellationToken);
            return;
        }

        var wanted = Desired(service, selector);
        var slices = existing.OrderBy(s => s.Name(), StringComparer.Ordinal).ToList();
        var toCreate = new List<JsonObject>();
        foreach (var desired in wanted)
        {
            // Reuse a slice with the same ports, so that a changed pod rewrites one slice, not all.
            var reuse = slices.FirstOrDefault(s => JsonNode.DeepEquals(s["ports"], desired["ports"]));
            if (reuse is null)
            {
                toCreate.Add(desired);
                continue;
            }

            slices.Remove(reuse);
            if (!SameContent(reuse, desired))
            {
                var updated = (JsonObject)reuse.DeepClone();
                updated["metadata"]!["labels"] = desired["metadata"]!["labels"]!.DeepClone();
                updated["metadata"]!["ownerReferences"] = desired["metadata"]!["ownerReferences"]!.DeepClone();
                updated["addressType"] = "IPv4";
                updated["ports"] = desired["ports"]!.DeepClone();
                updated["endpoints"] = desired["endpoints"]!.DeepClone();
                await _client.UpdateAsync(Slices, updated, null, cancellationToken);
            }
        }

        await DeleteAsync(key, slices, cancellationToken);
        if (toCreate.Count > 0)
        {
            _expectations.Expect(key, toCreate.Count, 0);
            foreach (var slice in toCreate)
            {
                try
                {
                    await _client.CreateAsync(Slices, ns, slice, cancellationToken);
                }
                catch
                {
                    _expectations.Lower(key, 1, 0);
                    throw;
                }
            }
        }

        EndpointSliceLog.Synced(Logger, ns, name, wanted.Count);
    }

    private async Task DeleteAsync(string key, List<JsonObject> slices, CancellationToken cancellationToken)
    {
        if (slices.Count == 0)
        {
            return;
        }

        _expectations.Expect(key, 0, slices.Count);
        foreach (var slice in slices)
        {
            try
            {
                await _client.DeleteAsync(Slices, slice.Namespace(), slice.Name()!, new DeleteRequest { PreconditionUid = slice.Uid() }, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code is 404 or 409)
            {
                _expectations.ObservedDelete(key);
            }
        }
    }

    /// <summary>The slices the Service should have: endpoints grouped by their ports, sorted, cut in slices of 100.</summary>
    private List<JsonObject> Desired(JsonObject service, Api.Selectors.LabelSelector selector)
    {
        var publishNotReady = ServiceEndpoints.PublishNotReady(service);
        var groups = new Dictionary<string, (JsonArray Ports, List<(string Ip, JsonObject Endpoint)> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in _pods.List(service.Namespace()))
        {
            if (!selector.Matches(pod.Labels()) || !ServiceEndpoints.Eligible(pod, includeTerminating: true))
            {
                continue;
            }

            var ports = ServiceEndpoints.EndpointPorts(service, pod);
            var portsKey = ports.ToJsonString();
            if (!groups.TryGetValue(portsKey, out var group))
            {
                group = (ports, []);
                groups[portsKey] = group;
            }

            var ip = ServiceEndpoints.PodIPv4(pod)!;
            group.Endpoints.Add((ip, Endpoint(pod, ip, publishNotReady)));
        }

        var slices = new List<JsonObject>();
        foreach (var (_, (ports, endpoints)) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            endpoints.Sort((a, b) => ServiceEndpoints.CompareIPs(a.Ip, b.Ip));
            foreach (var chunk in endpoints.Chunk(MaxEndpointsPerSlice))
            {
                slices.Add(NewSlice(service, (JsonArray)ports.DeepClone(), new JsonArray([.. chunk.Select(e => (JsonNode)e.Endpoint)])));
            }
        }

        if (slices.Count == 0)
        {
            // As upstream: a Service with nothing to serve has one empty slice, which says so.
            slices.Add(NewSlice(service, [], []));
        }

        return slices;
    }

    private JsonObject Endpoint(JsonObject pod, string ip, bool publishNotReady)
    {
        var serving = publishNotReady || PodState.IsReady(pod);
        var terminating = pod.DeletionTimestamp() is not null;
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray((JsonNode)JsonValue.Create(ip)),
            ["conditions"] = new JsonObject
            {
                ["ready"] = publishNotReady || (serving && !terminating),
                ["serving"] = serving,
                ["terminating"] = terminating,
            },
        };
        if (PodState.NodeName(pod) is { Length: > 0 } node)
        {
            endpoint["nodeName"] = node;
            if (ObjectFields.String(_nodes.Get(null, node)?.Labels(), ZoneLabel) is { Length: > 0 } zone)
            {
                endpoint["zone"] = zone;
            }
        }

        endpoint["targetRef"] = ServiceEndpoints.PodReference(pod);
        return endpoint;
    }

    private static JsonObject NewSlice(JsonObject service, JsonArray ports, JsonArray endpoints)
    {
        var labels = service.Labels()?.DeepClone() as JsonObject ?? [];
        labels[ServiceNameLabel] = service.Name();
        labels[ManagedByLabel] = ManagedBy;
        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["generateName"] = service.Name() + "-",
                ["namespace"] = service.Namespace(),
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray((JsonNode)Owners.ControllerReference(service, Services)),
            },
            ["addressType"] = "IPv4",
            ["ports"] = ports,
            ["endpoints"] = endpoints,
        };
    }

    private static bool SameContent(JsonObject slice, JsonObject desired) =>
        ObjectFields.String(slice, "addressType") == "IPv4" &&
        JsonNode.DeepEquals(slice["ports"], desired["ports"]) &&
        JsonNode.DeepEquals(slice["endpoints"] ?? new JsonArray(), desired["endpoints"]) &&
        JsonNode.DeepEquals(slice.Labels(), desired["metadata"]!["labels"]) &&
        JsonNode.DeepEquals(slice["metadata"]?["ownerReferences"], desired["metadata"]!["ownerReferences"]);
}

internal static partial class EndpointSliceLog
{
    [LoggerMessage(1, LogLevel.Debug, "Service {Namespace}/{Name} has {Count} EndpointSlices")]
    public static partial void Synced(ILogger logger, string @namespace, string name, int count);
}
