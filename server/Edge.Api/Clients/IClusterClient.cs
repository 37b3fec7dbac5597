using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;

namespace Edge.Api.Clients;

/// <summary>
/// The API as the in-process control loops (scheduler, controllers) use it: the same registry,
/// admission and watch cache that HTTP clients reach, without a loopback connection or a JSON
/// round trip. Failures are <see cref="Errors.ApiException"/>s with the status an HTTP client
/// would get (404, 409, 410 …). Objects handed out are the caller's own copies.
/// </summary>
public interface IClusterClient
{
    Task<ObjectList> ListAsync(ResourceType resource, string? ns, CancellationToken cancellationToken);

    /// <summary>
    /// Changes after <paramref name="afterRevision"/> in revision order. Throws a 410
    /// <see cref="Errors.ApiException"/> when that revision is no longer held, or when the
    /// watcher fell too far behind: the caller lists again.
    /// </summary>
    IAsyncEnumerable<ObjectEvent> WatchAsync(ResourceType resource, string? ns, long afterRevision, CancellationToken cancellationToken);

    Task<JsonObject> GetAsync(ResourceType resource, string? ns, string name, CancellationToken cancellationToken);

    Task<JsonObject> CreateAsync(ResourceType resource, string? ns, JsonObject obj, CancellationToken cancellationToken);

    /// <summary>PUT of the whole object, or of its <c>status</c> when <paramref name="subresource"/> says so; a resourceVersion in it pins the write (409 otherwise).</summary>
    Task<JsonObject> UpdateAsync(ResourceType resource, JsonObject obj, string? subresource, CancellationToken cancellationToken);

    /// <summary>A JSON merge patch (RFC 7386) of the object or of a subresource.</summary>
    Task<JsonObject> MergePatchAsync(ResourceType resource, string? ns, string name, JsonObject patch, string? subresource, CancellationToken cancellationToken);

    /// <summary>Deletes; the result is the object as it is left (marked for deletion) or null when it is gone.</summary>
    Task<JsonObject?> DeleteAsync(ResourceType resource, string? ns, string name, DeleteRequest request, CancellationToken cancellationToken);

    /// <summary><c>pods/binding</c>: assigns an unbound pod to a node (409 when it is bound already or its uid changed).</summary>
    Task BindAsync(string ns, string name, string? uid, string node, CancellationToken cancellationToken);
}

/// <summary>
/// One page-less list: the objects as read (<see cref="Frozen"/>, immutable and cheap to keep) and
/// the revision they were read at; <see cref="Items"/> are trees of the caller's own over them.
/// </summary>
public sealed class ObjectList(IReadOnlyList<JsonElement> frozen, long revision)
{
    private IReadOnlyList<JsonObject>? _items;

    public IReadOnlyList<JsonElement> Frozen { get; } = frozen;

    public long Revision { get; } = revision;

    public IReadOnlyList<JsonObject> Items => _items ??= [.. Frozen.Select(FrozenObjects.Tree)];
}

public enum ObjectEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// A change; for a deletion the object is its last state. <see cref="Frozen"/> is the object as
/// read (immutable, cheap to keep); <see cref="Object"/> a tree of the caller's own over it, built
/// on first use.
/// </summary>
public sealed class ObjectEvent(ObjectEventType type, JsonElement frozen, long revision)
{
    private JsonObject? _object;

    public ObjectEventType Type { get; } = type;

    public JsonElement Frozen { get; } = frozen;

    public long Revision { get; } = revision;

    public JsonObject Object => _object ??= FrozenObjects.Tree(Frozen);
}

/// <summary>meta/v1 DeleteOptions as the control loops need them.</summary>
public sealed record DeleteRequest
{
    public static readonly DeleteRequest Default = new();

    /// <summary><c>Orphan</c>, <c>Background</c> or <c>Foreground</c>; null is the resource's default.</summary>
    public string? PropagationPolicy { get; init; }

    public string? PreconditionUid { get; init; }

    /// <summary>Deletes only the version the caller decided on (409 when it moved on).</summary>
    public string? PreconditionResourceVersion { get; init; }

    public long? GracePeriodSeconds { get; init; }
}
