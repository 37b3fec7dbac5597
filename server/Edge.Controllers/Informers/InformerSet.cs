using Edge.Api.Clients;
using Edge.Api.Resources;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Informers;

/// <summary>One informer per resource, shared by every controller that reads it.</summary>
public sealed class InformerSet(IClusterClient client, ILoggerFactory loggers, TimeProvider time)
{
    private readonly Dictionary<ResourceType, Informer> _informers = [];

    public IClusterClient Client => client;

    public Informer For(ResourceType resource)
    {
        lock (_informers)
        {
            if (!_informers.TryGetValue(resource, out var informer))
            {
                informer = new Informer(client, resource, loggers.CreateLogger($"informer.{resource.GroupResource}"), time);
                _informers[resource] = informer;
            }

            return informer;
        }
    }

    /// <summary>Runs every informer asked for so far; completes when all stop.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        Informer[] all;
        lock (_informers)
        {
            all = [.. _informers.Values];
        }

        return Task.WhenAll(all.Select(i => Task.Run(() => i.RunAsync(cancellationToken), CancellationToken.None)));
    }

    public Task Synced()
    {
        lock (_informers)
        {
            return Task.WhenAll(_informers.Values.Select(i => i.Synced));
        }
    }
}
