using System.Threading.Channels;
using Edge.Api.Resources;

namespace Edge.ApiServer.Watch;

/// <summary>One watcher's queue of the events of its resource (and namespace), in revision order.</summary>
public sealed class WatchSubscription(WatchCache cache, ResourceType resource, string? ns, Channel<CachedEvent> channel, long startRevision) : IDisposable
{
    public ResourceType Resource { get; } = resource;

    /// <summary>The revision the subscription started after.</summary>
    public long StartRevision { get; } = startRevision;

    public ChannelReader<CachedEvent> Events => channel.Reader;

    /// <summary>True once the watcher fell too far behind and was cut off.</summary>
    public bool Overflowed { get; private set; }

    internal bool Wants(CachedEvent cached) =>
        ReferenceEquals(cached.Resource, Resource) && (ns is null || cached.Namespace == ns);

    internal bool TryDeliver(CachedEvent cached) => channel.Writer.TryWrite(cached);

    internal void Overflow()
    {
        Overflowed = true;
        channel.Writer.TryComplete();
    }

    public void Dispose()
    {
        channel.Writer.TryComplete();
        cache.Unsubscribe(this);
    }
}
