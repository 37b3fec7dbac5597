using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.Store;

namespace Edge.ApiServer.Registry;

/// <summary>What a delete did: removed the object now, or marked it for removal later.</summary>
public sealed record DeleteOutcome(JsonObject Object, bool Removed);

public sealed partial class ObjectRegistry
{
    /// <summary>
    /// Deletes an object. Objects with finalizers, namespaces (whose content goes first) and pods
    /// bound to a node (whose agent must stop them first, unless the grace period is 0) get a
    /// deletionTimestamp instead and are removed when that work is done.
    /// </summary>
    public async Task<DeleteOutcome> DeleteAsync(ResourceType resource, string? ns, string name, DeleteOptions options, CancellationToken cancellationToken)
    {
        var strategy = strategies.For(resource);
        var key = StoredObjects.Key(resource, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await GetKvAsync(resource, ns, name, cancellationToken) ?? throw ApiException.NotFound(resource, name);
            var current = StoredObjects.Decode(kv);
            if (options.PreconditionUid is { } uid && uid != current.Uid())
            {
                throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
            }

            if (options.PreconditionResourceVersion is { } rv && rv != current.ResourceVersion())
            {
                throw ApiException.Conflict(resource, name,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ResourceVersion()}");
            }

            var marked = MarkForDeletion(resource, current, options);
            if (options.DryRun)
            {
                return new DeleteOutcome(marked ?? current, marked is null);
            }

            TxnRequest txn;
            if (marked is null)
            {
                var ops = new List<TxnOp> { new DeleteOp(key) };
                ops.AddRange(strategy.ReservedKeys(current).Select(k => new DeleteOp(k)));
                txn = new TxnRequest([Compare.ModRevisionIs(key, kv.ModRevision)], ops);
            }
            else if (JsonNode.DeepEquals(marked, current))
            {
                return new DeleteOutcome(current, false);
            }
            else
            {
                txn = new TxnRequest([Compare.ModRevisionIs(key, kv.ModRevision)], [new PutOp(key, StoredObjects.Encode(marked))]);
            }

            var result = await Guard(() => store.TxnAsync(txn, cancellationToken));
            if (result.Succeeded)
            {
                if (marked is null)
                {
                    return new DeleteOutcome(current, true);
                }

                marked.Metadata()["resourceVersion"] = StoredObjects.Revision(result.Revision);
                if (resource == Namespaces)
                {
                    NamespaceTerminating?.Invoke(name);
                }

                return new DeleteOutcome(marked, false);
            }

            if (attempt >= MaxRetries)
            {
                throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
        }
    }

    /// <summary>The object with its deletionTimestamp set, or null when it can go right away.</summary>
    private JsonObject? MarkForDeletion(ResourceType resource, JsonObject current, DeleteOptions options)
    {
        var isNamespace = resource == Namespaces;
        var graceful = resource.Group.Length == 0 && resource.Kind == "Pod" &&
            ObjectFields.String(current["spec"], "nodeName") is { Length: > 0 } && options.GracePeriodSeconds is not 0;
        var finalizers = WithPropagation(current, isNamespace ? null : options.PropagationPolicy);
        if (finalizers.Count == 0 && !graceful && !isNamespace)
        {
            return null;
        }

        if (graceful && current.DeletionTimestamp() is not null && ObjectFields.Long(current["metadata"], "deletionGracePeriodSeconds") is 0)
        {
            return null;
        }

        var marked = (JsonObject)current.DeepClone();
        var metadata = marked.Metadata();
        if (finalizers.Count > 0 || metadata["finalizers"] is not null)
        {
            metadata["finalizers"] = new JsonArray(finalizers.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        }
        var grace = graceful
            ? options.GracePeriodSeconds ?? ObjectFields.Long(current["spec"], "terminationGracePeriodSeconds") ?? 30
            : 0;
        var existingGrace = ObjectFields.Long(current["metadata"], "deletionGracePeriodSeconds");
        if (current.DeletionTimestamp() is null || (existingGrace is { } g && grace < g))
        {
            metadata["deletionTimestamp"] = ObjectFields.Timestamp(time.GetUtcNow().AddSeconds(grace));
            metadata["deletionGracePeriodSeconds"] = grace;
        }

        if (isNamespace)
        {
            marked["status"] = new JsonObject { ["phase"] = "Terminating" };
        }

        return marked;
    }

    /// <summary>
    /// The finalizers after a delete with a propagation policy: <c>orphan</c> and
    /// <c>foregroundDeletion</c> hand the object to the garbage collector, which releases or
    /// deletes its dependents first (upstream's <c>updateObjectFinalizers</c>). Background (and no
    /// policy) leaves the dependents to the collector after the owner is gone.
    /// </summary>
    private static List<string> WithPropagation(JsonObject current, string? policy)
    {
        var finalizers = (current["metadata"]?["finalizers"] as JsonArray ?? [])
            .Select(f => f is JsonValue v && v.TryGetValue<string>(out var name) ? name : null).OfType<string>().ToList();
        if (policy is null)
        {
            return finalizers;
        }

        finalizers.RemoveAll(f => f is Finalizers.Orphan or Finalizers.Foreground);
        if (policy == "Orphan")
        {
            finalizers.Add(Finalizers.Orphan);
        }
        else if (policy == "Foreground")
        {
            finalizers.Add(Finalizers.Foreground);
        }

        return finalizers;
    }
}
