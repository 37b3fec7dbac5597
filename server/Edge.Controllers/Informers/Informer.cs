using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Informers;

/// <summary>
/// A local copy of one resource kept current by list + watch, as client-go's shared informer:
/// every controller reads from it and is told of changes; a 410 (history gone, or the watcher
/// fell behind) makes it list again and report the difference. The cache keeps each object frozen
/// as read (<see cref="FrozenObjects"/>): a parsed tree per pod was most of the server's heap, and
/// collecting it stalled every request. Readers and handlers get trees of their own, built lazily
/// as far as they look; one change's trees are shared by the handlers told of it.
/// </summary>
public sealed class Informer(IClusterClient client, ResourceType resource, ILogger logger, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, JsonElement> _objects = new(StringComparer.Ordinal);

    // The same objects by namespace: controllers list one namespace on every reconcile, and that
    // must not cost a scan of the whole cluster. Written only by the informer's loop.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonElement>> _byNamespace = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IInformerHandler> _handlers = [];

    public ResourceType Resource { get; } = resource;

    /// <summary>Completes once the first list is in the cache and the handlers have seen it.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Handlers are called on the informer's loop, one change at a time; they should only enqueue work.</summary>
    public void AddHandler(IInformerHandler handler)
    {
        if (_synced.Task.IsCompleted)
        {
            throw new InvalidOperationException("handlers are added before the informer starts");
        }

        _handlers.Add(handler);
    }

    public JsonObject? Get(string? ns, string name) => Get(Key(ns, name));

    public JsonObject? Get(string key) => _objects.TryGetValue(key, out var obj) ? FrozenObjects.Tree(obj) : null;

    /// <summary>A snapshot of the cached objects, of one namespace or all, as trees of the caller's own.</summary>
    public List<JsonObject> List(string? ns = null)
    {
        var objects = ns is null ? _objects : _byNamespace.TryGetValue(ns, out var inNamespace) ? inNamespace : null;
        return objects is null ? [] : [.. objects.Values.Select(FrozenObjects.Tree)];
    }

    public int Count => _objects.Count;

    /// <summary>The cache key of an object: <c>namespace/name</c>, or the name of a cluster-scoped one.</summary>
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    public static string Key(JsonObject obj) => Key(obj.Namespace(), obj.Name() ?? "");

    private static string Key(JsonElement obj) => Key(FrozenObjects.Namespace(obj), FrozenObjects.Name(obj) ?? "");

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var revision = await RelistAsync(cancellationToken);
                _synced.TrySetResult();
                backoff = TimeSpan.FromMilliseconds(100);
                await foreach (var change in client.WatchAsync(Resource, null, revision, cancellationToken))
                {
                    Apply(change);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ApiException e) when (e.Status.Code == 410)
            {
                InformerLog.Relisting(logger, Resource.GroupResource, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Whatever failed (the store, a decode), the cache must come back: every loop reads it.
                InformerLog.Failed(logger, Resource.GroupResource, e.Message);
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>Lists, replaces the cache, and reports what changed since the last look.</summary>
    private async Task<long> RelistAsync(CancellationToken cancellationToken)
    {
        var list = await client.ListAsync(Resource, null, cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var obj in list.Frozen)
        {
            var key = Key(obj);
            seen.Add(key);
            if (_objects.TryGetValue(key, out var old))
            {
                if (FrozenObjects.ResourceVersion(old) != FrozenObjects.ResourceVersion(obj))
                {
                    Put(key, obj);
                    NotifyUpdated(old, obj);
                }
            }
            else
            {
                Put(key, obj);
                NotifyAdded(obj);
            }
        }

        foreach (var (key, old) in _objects)
        {
            if (!seen.Contains(key) && Remove(key))
            {
                NotifyDeleted(old);
            }
        }

        return list.Revision;
    }

    private void Apply(ObjectEvent change)
    {
        var key = Key(change.Frozen);
        switch (change.Type)
        {
            case ObjectEventType.Deleted:
                if (_objects.TryGetValue(key, out var gone) && Remove(key))
                {
                    NotifyDeleted(gone);
                }

                break;
            default:
                if (_objects.TryGetValue(key, out var old))
                {
                    Put(key, change.Frozen);
                    NotifyUpdated(old, change.Frozen);
                }
                else
                {
                    Put(key, change.Frozen);
                    NotifyAdded(change.Frozen);
                }

                break;
        }
    }

    private void Put(string key, JsonElement obj)
    {
        _objects[key] = obj;
        if (FrozenObjects.Namespace(obj) is { Length: > 0 } ns)
        {
            _byNamespace.GetOrAdd(ns, _ => new ConcurrentDictionary<string, JsonElement>(StringComparer.Ordinal))[key] = obj;
        }
    }

    private bool Remove(string key)
    {
        if (!_objects.TryRemove(key, out var obj))
        {
            return false;
        }

        if (FrozenObjects.Namespace(obj) is { Length: > 0 } ns && _byNamespace.TryGetValue(ns, out var objects))
        {
            objects.TryRemove(key, out _);
        }

        return true;
    }

    private void NotifyAdded(JsonElement obj)
    {
        if (_handlers.Count > 0)
        {
            var tree = FrozenObjects.Tree(obj);
            Notify(h => h.OnAdded(tree));
        }
    }

    private void NotifyUpdated(JsonElement old, JsonElement current)
    {
        if (_handlers.Count > 0)
        {
            var (oldTree, currentTree) = (FrozenObjects.Tree(old), FrozenObjects.Tree(current));
            Notify(h => h.OnUpdated(oldTree, currentTree));
        }
    }

    private void NotifyDeleted(JsonElement obj)
    {
        if (_handlers.Count > 0)
        {
            var tree = FrozenObjects.Tree(obj);
            Notify(h => h.OnDeleted(tree));
        }
    }

    private void Notify(Action<IInformerHandler> call)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                call(handler);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A handler's bug must not stop the cache for every other controller.
                InformerLog.HandlerFailed(logger, Resource.GroupResource, e);
            }
        }
    }
}

/// <summary>What an informer tells its readers.</summary>
public interface IInformerHandler
{
    void OnAdded(JsonObject obj);

    void OnUpdated(JsonObject old, JsonObject current);

    void OnDeleted(JsonObject obj);
}

/// <summary>A handler from three delegates; any may be left out.</summary>
public sealed class InformerHandler(
    Action<JsonObject>? added = null, Action<JsonObject, JsonObject>? updated = null, Action<JsonObject>? deleted = null) : IInformerHandler
{
    public void OnAdded(JsonObject obj) => added?.Invoke(obj);

    public void OnUpdated(JsonObject old, JsonObject current) => updated?.Invoke(old, current);

    public void OnDeleted(JsonObject obj) => deleted?.Invoke(obj);
}

internal static partial class InformerLog
{
    [LoggerMessage(1, LogLevel.Information, "Informer of {Resource} lists again: {Reason}")]
    public static partial void Relisting(ILogger logger, string resource, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Informer of {Resource} failed, retrying: {Reason}")]
    public static partial void Failed(ILogger logger, string resource, string reason);

    [LoggerMessage(3, LogLevel.Error, "An informer handler of {Resource} failed")]
    public static partial void HandlerFailed(ILogger logger, string resource, Exception exception);
}
