using System.Threading.Channels;
using Edge.Api.Resources;

namespace Edge.ApiServer.Watch;

/// <summary>
/// One watcher's queue of the events of its resource (and namespace), in revision order. A node's
/// channel watches several resources at once (<see cref="Resources"/>) so that it sees their
/// changes in one order.
/// </summary>
public sealed class WatchSubscription(WatchCache cache, ResourceType[] resources, string? ns, Channel<CachedEvent> channel, long startRevision) : IDisposable
{
    /// <summary>The (first) resource watched.</summary>
    public ResourceType Resource { get; } = resources[0];

    public IReadOnlyList<ResourceType> Resources { get; } = resources;

    /// <summary>The revision the subscription started after.</summary>
    public long StartRevision { get; } = startRevision;

    public ChannelReader<CachedEvent> Events => channel.Reader;

    /// <summary>True once the watcher fell too far behind and was cut off.</summary>
    public bool Overflowed { get; private set; }

    internal bool Wants(CachedEvent cached) =>
        Array.IndexOf(resources, cached.Resource) >= 0 && (ns is null || cached.Namespace == ns);

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
