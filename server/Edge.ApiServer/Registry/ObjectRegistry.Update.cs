using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;
using Edge.Store;

namespace Edge.ApiServer.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>
    /// Replaces an object (PUT). A resourceVersion in the body pins the update to that version
    /// (409 when the object moved on); without one the update applies to whatever is current.
    /// </summary>
    public Task<JsonObject> UpdateAsync(
        ResourceType resource, string? ns, string name, string? subresource, JsonObject body, WriteOptions options, CancellationToken cancellationToken) =>
        UpdateWithAsync(resource, ns, name, subresource, _ => (JsonObject)body.DeepClone(), options, cancellationToken);

    /// <summary>
    /// Read-modify-write: <paramref name="change"/> gets a copy of the current object and returns
    /// the wanted one; the write is retried on a lost race unless the result pins a resourceVersion.
    /// </summary>
    public async Task<JsonObject> UpdateWithAsync(
        ResourceType resource, string? ns, string name, string? subresource, Func<JsonObject, JsonObject> change,
        WriteOptions options, CancellationToken cancellationToken)
    {
        var strategy = strategies.For(resource);
        var key = StoredObjects.Key(resource, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await GetKvAsync(resource, ns, name, cancellationToken) ?? throw ApiException.NotFound(resource, name);
            var current = StoredObjects.Decode(kv);
            // The change sees the object without its resourceVersion, so a version in the result
            // is one the caller asked for (a PUT body, a patch that sets it): only then is the
            // write pinned; otherwise a lost race is retried, as upstream's patch and update do.
            var unversioned = (JsonObject)current.DeepClone();
            unversioned.Metadata().Remove("resourceVersion");
            var updated = change(unversioned);
            CheckTypeMeta(resource, updated);
            var metadata = updated.Metadata();
            if (updated.Name() is { Length: > 0 } bodyName && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            if (resource.Namespaced && updated.Namespace() is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var pinned = updated.ResourceVersion();
            if (!string.IsNullOrEmpty(pinned) && pinned != current.ResourceVersion())
            {
                throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            if (updated.Uid() is { Length: > 0 } uid && uid != current.Uid())
            {
                throw ApiException.Conflict(resource, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
            }

            if (subresource == "finalize")
            {
                var finalized = (JsonObject)current.DeepClone();
                finalized["spec"] = updated["spec"]?.DeepClone();
                updated = finalized;
                metadata = updated.Metadata();
            }
            else if (subresource == "status")
            {
                var statusOnly = (JsonObject)current.DeepClone();
                statusOnly["status"] = updated["status"]?.DeepClone();
                updated = statusOnly;
                metadata = updated.Metadata();
            }
            else
            {
                metadata["name"] = name;
                if (resource.Namespaced)
                {
                    metadata["namespace"] = ns;
                }

                foreach (var immutable in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
                {
                    metadata[immutable] = current["metadata"]?[immutable]?.DeepClone();
                    if (metadata[immutable] is null)
                    {
                        metadata.Remove(immutable);
                    }
                }

                strategy.PrepareForUpdate(updated, current);
                if (strategy.TracksGeneration && SpecChanged(updated, current))
                {
                    metadata["generation"] = (ObjectFields.Long(current["metadata"], "generation") ?? 0) + 1;
                }
            }

            metadata["resourceVersion"] = current.ResourceVersion();
            var taken = strategy.UsesReservations ? await ReservedKeysTakenAsync(cancellationToken) : [];
            var ownKeys = strategy.ReservedKeys(current);
            strategy.Allocate(updated, current, k => taken.Contains(k) && !ownKeys.Contains(k));
            var errors = new List<FieldError>();
            strategy.Validate(updated, current, errors);
            Check(resource, name, errors);

            if (JsonNode.DeepEquals(updated, current))
            {
                return current;
            }

            if (options.Admit is { } admit)
            {
                await admit(current, updated, cancellationToken);
            }

            if (options.DryRun)
            {
                return updated;
            }

            var finished = current.DeletionTimestamp() is not null && !HasFinalizers(updated) && !strategy.HoldsDeletion(updated) &&
                (ObjectFields.Long(updated["metadata"], "deletionGracePeriodSeconds") ?? 0) == 0;
            var compares = new List<Compare> { Compare.ModRevisionIs(key, kv.ModRevision) };
            var ops = new List<TxnOp>();
            var newKeys = finished ? [] : strategy.ReservedKeys(updated);
            foreach (var reservation in newKeys.Except(ownKeys))
            {
                compares.Add(Compare.Missing(reservation));
                ops.Add(new PutOp(reservation, System.Text.Encoding.UTF8.GetBytes(key)));
            }

            foreach (var released in ownKeys.Except(newKeys))
            {
                ops.Add(new DeleteOp(released));
            }

            ops.Add(finished ? new DeleteOp(key) : new PutOp(key, StoredObjects.Encode(updated)));
            var result = await Guard(() => store.TxnAsync(new TxnRequest(compares, ops), cancellationToken));
            if (result.Succeeded)
            {
                metadata["resourceVersion"] = StoredObjects.Revision(result.Revision);
                return updated;
            }

            if (!string.IsNullOrEmpty(pinned) || attempt >= MaxRetries)
            {
                throw ApiException.Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            var conflict = await FirstTakenAsync(newKeys.Except(ownKeys).ToList(), cancellationToken);
            if (conflict is not null)
            {
                throw ApiException.Invalid(resource, name, [strategy.ReservationConflict(updated, conflict)]);
            }
        }
    }

    private static bool HasFinalizers(JsonObject obj) => obj["metadata"]?["finalizers"] is JsonArray { Count: > 0 };

    /// <summary>Generation counts changes of everything but metadata and status.</summary>
    private static bool SpecChanged(JsonObject updated, JsonObject current)
    {
        var names = updated.Select(p => p.Key).Concat(current.Select(p => p.Key)).Distinct();
        return names.Where(n => n is not ("metadata" or "status" or "apiVersion" or "kind"))
            .Any(n => !JsonNode.DeepEquals(updated[n], current[n]));
    }
}
