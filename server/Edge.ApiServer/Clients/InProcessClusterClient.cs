using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Patching;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;
using Edge.ApiServer.Watch;

namespace Edge.ApiServer.Clients;

/// <summary>
/// The control loops' way into the API: the registry (with all admission and validation) for
/// writes, the store for lists and the watch cache for changes, each object decoded into the
/// caller's own tree. No HTTP, no serialisation round trip (ARCHITECTURE.md §1). Lists and
/// changes carry the objects frozen as read, so an informer can keep them without a tree.
/// </summary>
public sealed class InProcessClusterClient(ObjectRegistry registry, WatchCache watchCache) : IClusterClient
{
    private static readonly WriteOptions Writes = new() { FieldValidation = FieldValidation.Ignore };

    public async Task<ObjectList> ListAsync(ResourceType resource, string? ns, CancellationToken cancellationToken)
    {
        var page = await registry.ListAsync(resource, ns, new ListOptions(), cancellationToken);
        return new ObjectList([.. page.Kvs.Select(StoredObjects.Freeze)], page.Revision);
    }

    public async IAsyncEnumerable<ObjectEvent> WatchAsync(
        ResourceType resource, string? ns, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var subscription = watchCache.Subscribe(resource, ns, afterRevision)
            ?? throw ApiException.Gone($"too old resource version: {afterRevision}");
        await foreach (var cached in subscription.Events.ReadAllAsync(cancellationToken))
        {
            if (cached.CurrentKv is { } current)
            {
                yield return new ObjectEvent(cached.IsCreation ? ObjectEventType.Added : ObjectEventType.Modified,
                    StoredObjects.Freeze(current), cached.Revision);
            }
            else
            {
                var last = cached.PreviousKv!;
                yield return new ObjectEvent(ObjectEventType.Deleted, StoredObjects.Freeze(last.Value, cached.Revision), cached.Revision);
            }
        }

        // The channel completes only when the watcher fell too far behind (or the cache stopped).
        cancellationToken.ThrowIfCancellationRequested();
        throw ApiException.Gone($"watch of {resource.GroupResource} fell behind after revision {afterRevision}; list again");
    }

    public Task<JsonObject> GetAsync(ResourceType resource, string? ns, string name, CancellationToken cancellationToken) =>
        registry.GetAsync(resource, ns, name, cancellationToken);

    public Task<JsonObject> CreateAsync(ResourceType resource, string? ns, JsonObject obj, CancellationToken cancellationToken) =>
        registry.CreateAsync(resource, ns, (JsonObject)obj.DeepClone(), Writes, cancellationToken);

    public Task<JsonObject> UpdateAsync(ResourceType resource, JsonObject obj, string? subresource, CancellationToken cancellationToken) =>
        registry.UpdateAsync(resource, resource.Namespaced ? obj.Namespace() : null, obj.Name() ?? "", subresource, obj, Writes, cancellationToken);

    public Task<JsonObject> MergePatchAsync(
        ResourceType resource, string? ns, string name, JsonObject patch, string? subresource, CancellationToken cancellationToken) =>
        registry.UpdateWithAsync(resource, ns, name, subresource,
            current => JsonMergePatch.Apply(current, patch) as JsonObject ?? throw ApiException.BadRequest("the patch must leave an object"),
            Writes, cancellationToken);

    public async Task<JsonObject?> DeleteAsync(ResourceType resource, string? ns, string name, DeleteRequest request, CancellationToken cancellationToken)
    {
        var outcome = await registry.DeleteAsync(resource, ns, name, new DeleteOptions
        {
            PropagationPolicy = request.PropagationPolicy,
            PreconditionUid = request.PreconditionUid,
            PreconditionResourceVersion = request.PreconditionResourceVersion,
            GracePeriodSeconds = request.GracePeriodSeconds,
        }, cancellationToken);
        return outcome.Removed ? null : outcome.Object;
    }

    public Task BindAsync(string ns, string name, string? uid, string node, CancellationToken cancellationToken) =>
        PodBinding.BindAsync(registry, ns, name, uid, node, cancellationToken);
}
