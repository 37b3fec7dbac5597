using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer.Registry;

/// <summary>
/// Empties a Terminating namespace, then removes its <c>kubernetes</c> finalizer so the namespace
/// itself goes (upstream's namespace controller, which Edge runs inside the API server so that
/// deleting a namespace works before any controller is up). Retries until the content is gone:
/// pods on a node wait for their agent.
/// </summary>
public sealed class NamespaceCleaner : IAsyncDisposable
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly ObjectRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _running = [];
    private readonly List<Task> _tasks = [];

    public NamespaceCleaner(ObjectRegistry registry, ILogger logger)
    {
        _registry = registry;
        _logger = logger;
        registry.NamespaceTerminating += Clean;
    }

    /// <summary>Resumes namespaces left Terminating by an earlier run.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var page = await _registry.ListAsync(Namespaces, null, new ListOptions(), cancellationToken);
        foreach (var ns in page.Items.Where(n => n.DeletionTimestamp() is not null))
        {
            Clean(ns.Name()!);
        }
    }

    private void Clean(string name)
    {
        lock (_running)
        {
            if (!_running.Add(name))
            {
                return;
            }

            _tasks.Add(Task.Run(() => CleanAsync(name, _stop.Token)));
        }
    }

    private async Task CleanAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (await DeleteContentAsync(name, cancellationToken) == 0)
                    {
                        await _registry.UpdateWithAsync(Namespaces, null, name, "finalize", ns =>
                        {
                            ns["spec"] = new System.Text.Json.Nodes.JsonObject { ["finalizers"] = new System.Text.Json.Nodes.JsonArray() };
                            return ns;
                        }, new WriteOptions(), cancellationToken);
                        NamespaceCleanerLog.Finalized(_logger, name);
                        return;
                    }
                }
                catch (ApiException e) when (e.Status.Code == 404)
                {
                    return;
                }
                catch (ApiException e)
                {
                    NamespaceCleanerLog.Failed(_logger, name, e.Message);
                }

                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(name);
            }
        }
    }

    /// <summary>Deletes what is left in the namespace; returns how many objects are still waiting to go.</summary>
    private async Task<int> DeleteContentAsync(string name, CancellationToken cancellationToken)
    {
        var remaining = 0;
        foreach (var resource in ResourceCatalog.Resources.Where(r => r.Namespaced && r.Stored))
        {
            var page = await _registry.ListAsync(resource, name, new ListOptions(), cancellationToken);
            foreach (var item in page.Items)
            {
                try
                {
                    var outcome = await _registry.DeleteAsync(resource, name, item.Name()!, new DeleteOptions(), cancellationToken);
                    remaining += outcome.Removed ? 0 : 1;
                }
                catch (ApiException e) when (e.Status.Code == 404)
                {
                }
            }
        }

        return remaining;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task[] tasks;
        lock (_running)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}

internal static partial class NamespaceCleanerLog
{
    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Namespace {Name} is empty and finalized")]
    public static partial void Finalized(ILogger logger, string name);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Cleaning namespace {Name} failed, retrying: {Message}")]
    public static partial void Failed(ILogger logger, string name, string message);
}
