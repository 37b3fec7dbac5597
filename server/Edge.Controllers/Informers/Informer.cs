using System.Collections.Concurrent;
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
/// fell behind) makes it list again and report the difference. Objects in the cache are shared:
/// readers must not modify them (clone first).
/// </summary>
public sealed class Informer(IClusterClient client, ResourceType resource, ILogger logger, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);

    // The same objects by namespace: controllers list one namespace on every reconcile, and that
    // must not cost a scan of the whole cluster. Written only by the informer's loop.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, JsonObject>> _byNamespace = new(StringComparer.Ordinal);
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

    public JsonObject? Get(string? ns, string name) => _objects.GetValueOrDefault(Key(ns, name));

    public JsonObject? Get(string key) => _objects.GetValueOrDefault(key);

    /// <summary>A snapshot of the cached objects, of one namespace or all.</summary>
    public List<JsonObject> List(string? ns = null) =>
        ns is null ? [.. _objects.Values] : _byNamespace.TryGetValue(ns, out var objects) ? [.. objects.Values] : [];

    public int Count => _objects.Count;

    /// <summary>The cache key of an object: <c>namespace/name</c>, or the name of a cluster-scoped one.</summary>
    public static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    public static string Key(JsonObject obj) => Key(obj.Namespace(), obj.Name() ?? "");

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
        foreach (var obj in list.Items)
        {
            var key = Key(obj);
            seen.Add(key);
            if (_objects.TryGetValue(key, out var old))
            {
                if (old.ResourceVersion() != obj.ResourceVersion())
                {
                    Put(key, obj);
                    Notify(h => h.OnUpdated(old, obj));
                }
            }
            else
            {
                Put(key, obj);
                Notify(h => h.OnAdded(obj));
            }
        }

        foreach (var (key, old) in _objects)
        {
            if (!seen.Contains(key) && Remove(key))
            {
                Notify(h => h.OnDeleted(old));
            }
        }

        return list.Revision;
    }

    private void Apply(ObjectEvent change)
    {
        var key = Key(change.Object);
        switch (change.Type)
        {
            case ObjectEventType.Deleted:
                if (_objects.TryGetValue(key, out var gone) && Remove(key))
                {
                    Notify(h => h.OnDeleted(gone));
                }

                break;
            default:
                if (_objects.TryGetValue(key, out var old))
                {
                    Put(key, change.Object);
                    Notify(h => h.OnUpdated(old, change.Object));
                }
                else
                {
                    Put(key, change.Object);
                    Notify(h => h.OnAdded(change.Object));
                }

                break;
        }
    }

    private void Put(string key, JsonObject obj)
    {
        _objects[key] = obj;
        if (obj.Namespace() is { Length: > 0 } ns)
        {
            _byNamespace.GetOrAdd(ns, _ => new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal))[key] = obj;
        }
    }

    private bool Remove(string key)
    {
        if (!_objects.TryRemove(key, out var obj))
        {
            return false;
        }

        if (obj.Namespace() is { Length: > 0 } ns && _byNamespace.TryGetValue(ns, out var objects))
        {
            objects.TryRemove(key, out _);
        }

        return true;
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
