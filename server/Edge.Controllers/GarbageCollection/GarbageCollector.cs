using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.GarbageCollection;

/// <summary>
/// Deletes objects whose owners are gone and carries out the propagation policy of a delete
/// (upstream <c>pkg/controller/garbagecollector</c>): Background — the owner goes at once and its
/// dependents follow; Foreground — the owner waits (finalizer <c>foregroundDeletion</c>) until
/// the dependents that block it are deleted; Orphan — the dependents lose their reference to the
/// owner (finalizer <c>orphan</c>) and stay. It keeps a graph of ownerReferences by uid over
/// every served resource; the work queue holds uids.
/// </summary>
public sealed class GarbageCollector : Controller
{
    private readonly IClusterClient _client;
    private readonly Dictionary<ResourceType, Informer> _informers = [];
    private readonly object _graphLock = new();
    private readonly Dictionary<string, GraphNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);

    private sealed record GraphNode(ResourceType Resource, string? Namespace, string Name, string[] Owners);

    public GarbageCollector(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("garbage-collector", loggers.CreateLogger("garbage-collector"), time, workers: 2)
    {
        _client = informers.Client;
        // Events own nothing and are owned by nothing; everything else may be either (reviews are never stored).
        foreach (var resource in ResourceCatalog.Resources.Where(r => r.Kind != "Event" && r.Stored))
        {
            var informer = informers.For(resource);
            _informers[resource] = informer;
            informer.AddHandler(new InformerHandler(
                added: obj => Observe(resource, obj),
                updated: (_, obj) => Observe(resource, obj),
                deleted: obj => Forget(obj)));
        }
    }

    private void Observe(ResourceType resource, JsonObject obj)
    {
        var uid = obj.Uid();
        if (uid is null)
        {
            return;
        }

        var owners = Owners.References(obj).Select(r => ObjectFields.String(r, "uid")).OfType<string>().ToArray();
        lock (_graphLock)
        {
            if (_nodes.TryGetValue(uid, out var before))
            {
                foreach (var owner in before.Owners.Except(owners))
                {
                    RemoveDependent(owner, uid);
                }
            }

            _nodes[uid] = new GraphNode(resource, obj.Namespace(), obj.Name() ?? "", owners);
            foreach (var owner in owners)
            {
                if (!_dependents.TryGetValue(owner, out var set))
                {
                    set = new HashSet<string>(StringComparer.Ordinal);
                    _dependents[owner] = set;
                }

                set.Add(uid);
            }
        }

        if (owners.Length > 0 || (obj.DeletionTimestamp() is not null && HasGcFinalizer(obj)))
        {
            Enqueue(uid);
        }
    }

    private void Forget(JsonObject obj)
    {
        if (obj.Uid() is not { } uid)
        {
            return;
        }

        string[] dependents;
        string[] owners;
        lock (_graphLock)
        {
            owners = _nodes.Remove(uid, out var node) ? node.Owners : [];
            foreach (var owner in owners)
            {
                RemoveDependent(owner, uid);
            }

            dependents = _dependents.TryGetValue(uid, out var set) ? [.. set] : [];
        }

        // Dependents may now be orphans; owners waiting in the foreground may now be free to go.
        foreach (var key in dependents.Concat(owners))
        {
            Enqueue(key);
        }
    }

    private void RemoveDependent(string owner, string dependent)
    {
        if (_dependents.TryGetValue(owner, out var set) && set.Remove(dependent) && set.Count == 0)
        {
            _dependents.Remove(owner);
        }
    }

    private static bool HasGcFinalizer(JsonObject obj) => Finalizer(obj, Finalizers.Orphan) || Finalizer(obj, Finalizers.Foreground);

    private static bool Finalizer(JsonObject obj, string name) =>
        (obj["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => f is JsonValue v && v.TryGetValue<string>(out var s) && s == name);

    private JsonObject? Live(string uid, out GraphNode? node)
    {
        lock (_graphLock)
        {
            node = _nodes.GetValueOrDefault(uid);
        }

        return node is null ? null : _informers[node.Resource].Get(node.Namespace, node.Name) is { } obj && obj.Uid() == uid ? obj : null;
    }

    private List<(JsonObject Object, GraphNode Node)> Dependents(string uid)
    {
        string[] keys;
        lock (_graphLock)
        {
            keys = _dependents.TryGetValue(uid, out var set) ? [.. set] : [];
        }

        var result = new List<(JsonObject, GraphNode)>();
        foreach (var key in keys)
        {
            if (Live(key, out var node) is { } obj)
            {
                result.Add((obj, node!));
            }
        }

        return result;
    }

    protected override async Task ReconcileAsync(string uid, CancellationToken cancellationToken)
    {
        var obj = Live(uid, out var node);
        if (obj is null || node is null)
        {
            return;
        }

        if (obj.DeletionTimestamp() is not null && Finalizer(obj, Finalizers.Orphan))
        {
            await OrphanDependentsAsync(obj, node, cancellationToken);
            return;
        }

        if (obj.DeletionTimestamp() is not null && Finalizer(obj, Finalizers.Foreground))
        {
            await DeleteDependentsFirstAsync(obj, node, cancellationToken);
            return;
        }

        await CollectIfOrphanedAsync(obj, node, cancellationToken);
    }

    /// <summary>Orphan: drop every dependent's reference to the owner, then the owner's finalizer.</summary>
    private async Task OrphanDependentsAsync(JsonObject owner, GraphNode node, CancellationToken cancellationToken)
    {
        foreach (var (dependent, dependentNode) in Dependents(owner.Uid()!))
        {
            await IgnoreGoneAsync(_client.MergePatchAsync(dependentNode.Resource, dependentNode.Namespace, dependentNode.Name,
                Owners.ReleasePatch(dependent, owner.Uid()!), null, cancellationToken));
        }

        await RemoveFinalizerAsync(owner, node, Finalizers.Orphan, cancellationToken);
    }

    /// <summary>Foreground: delete the dependents (themselves in the foreground); the owner goes when none that blocks it is left.</summary>
    private async Task DeleteDependentsFirstAsync(JsonObject owner, GraphNode node, CancellationToken cancellationToken)
    {
        var blocking = 0;
        foreach (var (dependent, dependentNode) in Dependents(owner.Uid()!))
        {
            var reference = Owners.References(dependent).First(r => ObjectFields.String(r, "uid") == owner.Uid());
            if (reference["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var blocks) && blocks)
            {
                blocking++;
            }

            if (dependent.DeletionTimestamp() is null)
            {
                await IgnoreGoneAsync(_client.DeleteAsync(dependentNode.Resource, dependentNode.Namespace, dependentNode.Name,
                    new DeleteRequest { PropagationPolicy = "Foreground", PreconditionUid = dependent.Uid() }, cancellationToken));
            }
        }

        if (blocking == 0)
        {
            await RemoveFinalizerAsync(owner, node, Finalizers.Foreground, cancellationToken);
        }
    }

    /// <summary>
    /// An object whose owners are all gone is deleted (in the foreground if an owner is itself
    /// waiting for its dependents); references to owners that are gone while others remain are dropped.
    /// </summary>
    private async Task CollectIfOrphanedAsync(JsonObject obj, GraphNode node, CancellationToken cancellationToken)
    {
        var references = Owners.References(obj).ToList();
        if (references.Count == 0 || obj.DeletionTimestamp() is not null)
        {
            return;
        }

        var absent = new List<string>();
        var solid = 0;
        var waiting = 0;
        foreach (var reference in references)
        {
            switch (await OwnerStateAsync(obj, reference, cancellationToken))
            {
                case OwnerState.Absent:
                    absent.Add(ObjectFields.String(reference, "uid") ?? "");
                    break;
                case OwnerState.DeletingForeground:
                    waiting++;
                    break;
                default:
                    solid++;
                    break;
            }
        }

        if (solid > 0)
        {
            if (absent.Count > 0)
            {
                var kept = references.Where(r => !absent.Contains(ObjectFields.String(r, "uid") ?? "")).Select(r => (JsonNode)r.DeepClone());
                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["uid"] = obj.Uid(),
                        ["resourceVersion"] = obj.ResourceVersion(),
                        ["ownerReferences"] = new JsonArray([.. kept]),
                    },
                };
                await IgnoreGoneAsync(_client.MergePatchAsync(node.Resource, node.Namespace, node.Name, patch, null, cancellationToken));
            }

            return;
        }

        // No owner left that keeps it: delete, in the foreground when an owner waits for its
        // dependents — but only the version looked at (an orphaning owner may have just released it).
        var policy = waiting > 0 ? "Foreground" : "Background";
        await IgnoreGoneAsync(_client.DeleteAsync(node.Resource, node.Namespace, node.Name,
            new DeleteRequest { PropagationPolicy = policy, PreconditionUid = obj.Uid(), PreconditionResourceVersion = obj.ResourceVersion() }, cancellationToken));
    }

    private enum OwnerState
    {
        Present,
        DeletingForeground,
        Absent,
    }

    /// <summary>Looks the owner up in the cache, and asks the API before calling it absent (the cache may lag).</summary>
    private async Task<OwnerState> OwnerStateAsync(JsonObject dependent, JsonObject reference, CancellationToken cancellationToken)
    {
        var uid = ObjectFields.String(reference, "uid");
        var resource = KnownResources.ForKind(ObjectFields.String(reference, "apiVersion") ?? "", ObjectFields.String(reference, "kind") ?? "");
        if (resource is null || uid is null)
        {
            // A kind Edge does not serve: never collect on a guess.
            return OwnerState.Present;
        }

        var ns = resource.Namespaced ? dependent.Namespace() : null;
        var name = ObjectFields.String(reference, "name") ?? "";
        var owner = _informers[resource].Get(ns, name);
        if (owner is null || owner.Uid() != uid)
        {
            try
            {
                owner = await _client.GetAsync(resource, ns, name, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code == 404)
            {
                return OwnerState.Absent;
            }
        }

        if (owner.Uid() != uid)
        {
            return OwnerState.Absent;
        }

        return owner.DeletionTimestamp() is not null && Finalizer(owner, Finalizers.Foreground) ? OwnerState.DeletingForeground : OwnerState.Present;
    }

    private async Task RemoveFinalizerAsync(JsonObject obj, GraphNode node, string finalizer, CancellationToken cancellationToken)
    {
        var remaining = (obj["metadata"]?["finalizers"] as JsonArray ?? [])
            .Where(f => !(f is JsonValue v && v.TryGetValue<string>(out var s) && s == finalizer))
            .Select(f => f?.DeepClone()).ToArray();
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["uid"] = obj.Uid(),
                ["resourceVersion"] = obj.ResourceVersion(),
                ["finalizers"] = new JsonArray(remaining),
            },
        };
        await IgnoreGoneAsync(_client.MergePatchAsync(node.Resource, node.Namespace, node.Name, patch, null, cancellationToken));
    }

    private static async Task IgnoreGoneAsync(Task write)
    {
        try
        {
            await write;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            // Already gone: what the collector wanted.
        }
    }
}
