using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Admission;
using Edge.Api.Errors;
using Edge.Store;

namespace Edge.ApiServer.Registry;

/// <summary>
/// Create, read, update, patch and delete of objects over the store — upstream's generic
/// registry. Every write is one store transaction guarded by the object's mod revision, so
/// concurrent writers see 409 Conflict instead of overwriting each other, and a failure leaves
/// the store as it was.
/// </summary>
public sealed partial class ObjectRegistry(IStore store, ResourceStrategies strategies, TimeProvider time)
{
    /// <summary>How many times a write that lost a race is retried when the caller did not pin a resourceVersion.</summary>
    private const int MaxRetries = 16;

    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    public IStore Store => store;

    public ResourceStrategies Strategies => strategies;

    /// <summary>Raised after a namespace was marked Terminating, so its content gets deleted.</summary>
    public event Action<string>? NamespaceTerminating;

    public async Task<JsonObject> GetAsync(ResourceType resource, string? ns, string name, CancellationToken cancellationToken)
    {
        var kv = await GetKvAsync(resource, ns, name, cancellationToken);
        return kv is null ? throw ApiException.NotFound(resource, name) : StoredObjects.Decode(kv);
    }

    /// <summary>The current store revision (what a list or watch "now" means).</summary>
    /// <remarks>
    /// A one-key read of a key no object has: every read carries the store's revision, and unlike
    /// Status it neither counts keys nor sizes the files on disk.
    /// </remarks>
    public async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken) =>
        (await Guard(() => store.RangeAsync(new RangeRequest("/registry/"), cancellationToken))).Revision;

    private async Task<KeyValue?> GetKvAsync(ResourceType resource, string? ns, string name, CancellationToken cancellationToken)
    {
        var result = await Guard(() => store.RangeAsync(new RangeRequest(StoredObjects.Key(resource, ns, name)), cancellationToken));
        return result.Kvs.Count == 0 ? null : result.Kvs[0];
    }

    /// <summary>The 404 or 403 for content in a namespace that is missing or being deleted.</summary>
    private async Task CheckNamespaceAcceptsContentAsync(ResourceType resource, string? ns, CancellationToken cancellationToken)
    {
        if (!resource.Namespaced)
        {
            return;
        }

        var kv = await GetKvAsync(Namespaces, null, ns!, cancellationToken) ?? throw ApiException.NotFound(Namespaces, ns!);
        // Read in place: every create in a namespace passes here.
        var namespaceObject = StoredObjects.Freeze(kv);
        if (FrozenObjects.MetadataString(namespaceObject, "deletionTimestamp") is not null)
        {
            throw new ApiException(Api.Meta.Status.Failure(403, "Forbidden",
                $"{resource.GroupResource} \"{FrozenObjects.Name(namespaceObject)}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated")
                with
            {
                Details = new Api.Meta.StatusDetails { Name = ns, Group = resource.Group, Kind = resource.Plural },
            });
        }
    }

    private string Now() => ObjectFields.Timestamp(time.GetUtcNow());

    /// <summary>Store failures become Status errors: compacted history is 410, anything else 500.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StoreCompactedException e)
        {
            throw ApiException.Gone($"too old resource version: {e.Message}");
        }
        catch (StoreRequestException e)
        {
            // The request itself is over the store's limits (an object over 1.5 MiB): the client's fault.
            throw ApiException.TooLarge(e.Message);
        }
        catch (StoreException e)
        {
            throw ApiException.Internal(e.Message);
        }
    }

    private static void Check(ResourceType resource, string name, List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(resource, name, errors);
        }
    }
}
