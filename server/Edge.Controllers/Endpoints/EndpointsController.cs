using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.EndpointSlices;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Endpoints;

/// <summary>
/// Keeps the core/v1 Endpoints of each Service with a selector (upstream
/// <c>pkg/controller/endpoint</c>): one object named after the Service whose subsets group the
/// selected pods' addresses by their ports, ready ones under <c>addresses</c>, the others under
/// <c>notReadyAddresses</c>. Terminating pods are left out (unless the Service publishes
/// not-ready addresses). Services without a selector keep the Endpoints written by hand (such as
/// <c>default/kubernetes</c>, which the API server keeps); the Endpoints of a deleted Service are
/// deleted here, as they have no owner.
/// </summary>
public sealed class EndpointsController : Controller
{
    /// <summary>Tells the EndpointSlice mirroring controller to leave these alone: their slices come from the Service already.</summary>
    public const string SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";

    private static readonly ResourceType EndpointsResource = KnownResources.Endpoints;

    private readonly IClusterClient _client;
    private readonly Informer _services;
    private readonly Informer _pods;
    private readonly Informer _endpoints;

    public EndpointsController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("endpoints-controller", loggers.CreateLogger("endpoints-controller"), time, workers: 2)
    {
        _client = informers.Client;
        _services = informers.For(KnownResources.Services);
        _pods = informers.For(KnownResources.Pods);
        _endpoints = informers.For(EndpointsResource);
        _services.AddHandler(new InformerHandler(
            added: s => Enqueue(Informer.Key(s)),
            updated: (_, s) => Enqueue(Informer.Key(s)),
            deleted: s => Enqueue(Informer.Key(s))));
        _pods.AddHandler(new InformerHandler(
            added: p => EnqueueSelecting(p, null),
            updated: (old, p) => EnqueueSelecting(p, old),
            deleted: p => EnqueueSelecting(p, null)));
        // Someone else's change to (or deletion of) Endpoints we keep is undone.
        _endpoints.AddHandler(new InformerHandler(
            updated: (_, e) => EnqueueIfKept(e),
            deleted: EnqueueIfKept));
    }

    private void EnqueueIfKept(JsonObject endpoints)
    {
        if (_services.Get(Informer.Key(endpoints)) is { } service && ServiceEndpoints.Selector(service) is not null)
        {
            Enqueue(Informer.Key(endpoints));
        }
    }

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

    protected override async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var service = _services.Get(key);
        if (service is null)
        {
            // Deleted by name, not from the cache: Endpoints written just before the Service went may not be in it yet.
            var (ns, name) = SplitKey(key);
            try
            {
                await _client.DeleteAsync(EndpointsResource, ns, name, DeleteRequest.Default, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                // Never had any, or gone already.
            }

            return;
        }

        if (ServiceEndpoints.Selector(service) is not { } selector || service.DeletionTimestamp() is not null)
        {
            return;
        }

        var current = _endpoints.Get(key);
        var subsets = Subsets(service, selector);
        var labels = service.Labels()?.DeepClone() as JsonObject ?? [];
        labels[SkipMirrorLabel] = "true";
        if (current is null)
        {
            var created = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Endpoints",
                ["metadata"] = new JsonObject { ["name"] = service.Name(), ["namespace"] = service.Namespace(), ["labels"] = labels },
                ["subsets"] = subsets,
            };
            try
            {
                await _client.CreateAsync(EndpointsResource, service.Namespace(), created, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code == 409)
            {
                // The cache had not seen it yet: update it on the next pass.
                throw new RetryLaterException("Endpoints exist already");
            }

            return;
        }

        if (JsonNode.DeepEquals(current["subsets"] as JsonArray ?? [], subsets) && JsonNode.DeepEquals(current.Labels(), labels))
        {
            return;
        }

        var updated = (JsonObject)current.DeepClone();
        updated.Metadata()["labels"] = labels;
        updated["subsets"] = subsets;
        await _client.UpdateAsync(EndpointsResource, updated, null, cancellationToken);
    }

    private static (string Namespace, string Name) SplitKey(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The addresses grouped by their ports (upstream <c>RepackSubsets</c>), addresses sorted by IP.</summary>
    private JsonArray Subsets(JsonObject service, Api.Selectors.LabelSelector selector)
    {
        var publishNotReady = ServiceEndpoints.PublishNotReady(service);
        var groups = new SortedDictionary<string, (JsonArray Ports, List<JsonObject> Ready, List<JsonObject> NotReady)>(StringComparer.Ordinal);
        foreach (var pod in _pods.List(service.Namespace()))
        {
            if (!selector.Matches(pod.Labels()) || !ServiceEndpoints.Eligible(pod, includeTerminating: publishNotReady))
            {
                continue;
            }

            var ports = new JsonArray([.. ServiceEndpoints.EndpointPorts(service, pod).OfType<JsonObject>().Select(p =>
            {
                var port = (JsonObject)p.DeepClone();
                if (ObjectFields.String(port, "name") is "")
                {
                    port.Remove("name");
                }

                return (JsonNode)port;
            })]);
            if (ports.Count == 0 && ServiceEndpoints.Ports(service).Any())
            {
                // The pod serves none of the Service's ports.
                continue;
            }

            var portsKey = ports.ToJsonString();
            if (!groups.TryGetValue(portsKey, out var group))
            {
                group = (ports, [], []);
                groups[portsKey] = group;
            }

            var address = new JsonObject { ["ip"] = ServiceEndpoints.PodIPv4(pod) };
            if (PodState.NodeName(pod) is { Length: > 0 } node)
            {
                address["nodeName"] = node;
            }

            address["targetRef"] = ServiceEndpoints.PodReference(pod);
            (publishNotReady || PodState.IsReady(pod) ? group.Ready : group.NotReady).Add(address);
        }

        var subsets = new JsonArray();
        foreach (var (_, (ports, ready, notReady)) in groups)
        {
            var subset = new JsonObject();
            if (ready.Count > 0)
            {
                subset["addresses"] = Sorted(ready);
            }

            if (notReady.Count > 0)
            {
                subset["notReadyAddresses"] = Sorted(notReady);
            }

            if (ports.Count > 0)
            {
                subset["ports"] = ports;
            }

            subsets.Add((JsonNode)subset);
        }

        return subsets;
    }

    private static JsonArray Sorted(List<JsonObject> addresses) =>
        new([.. addresses.OrderBy(a => a, Comparer<JsonObject>.Create((a, b) =>
            ServiceEndpoints.CompareIPs(ObjectFields.String(a, "ip"), ObjectFields.String(b, "ip")))).Select(a => (JsonNode)a)]);
}
