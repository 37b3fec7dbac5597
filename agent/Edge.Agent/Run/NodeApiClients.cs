using Edge.Agent.Identity;

namespace Edge.Agent.Run;

/// <summary>
/// The API client for the node identity on disk, for the long-lived users of the API (events,
/// mirror pods, service account tokens). A certificate renewal writes a new identity; from then
/// on <see cref="Current"/> hands out a client that presents the new certificate. Without this
/// they kept the certificate of the start, which works until it expires (up to 30 days after the
/// renewal) and then fails every call until the agent is restarted.
/// </summary>
public sealed class NodeApiClients : IDisposable
{
    /// <summary>How often the identity on disk is looked at, at most: renewals are rare, and a renewed node's old certificate stays valid for days.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly Uri _server;
    private readonly string _dataDir;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private (NodeApiClient Client, NodeIdentity? Owned) _current;
    private (NodeApiClient Client, NodeIdentity? Owned)? _previous;
    private string _thumbprint;
    private DateTimeOffset _checkedAt;

    /// <param name="initial">The identity the agent started with; the caller keeps owning it.</param>
    public NodeApiClients(Uri server, string dataDir, NodeIdentity initial, TimeProvider time)
    {
        _server = server;
        _dataDir = dataDir;
        _time = time;
        _current = (new NodeApiClient(server, initial, time), null);
        _thumbprint = initial.Certificate.Thumbprint;
        _checkedAt = time.GetUtcNow();
    }

    public NodeApiClient Current
    {
        get
        {
            lock (_lock)
            {
                var now = _time.GetUtcNow();
                if (now - _checkedAt >= CheckInterval)
                {
                    _checkedAt = now;
                    Follow();
                }

                return _current.Client;
            }
        }
    }

    private void Follow()
    {
        NodeIdentity? onDisk;
        try
        {
            onDisk = NodeIdentity.TryLoad(_dataDir);
        }
        catch (AgentException)
        {
            // Mid-write or unreadable: the current client is still valid; look again next time.
            return;
        }

        if (onDisk is null || onDisk.Certificate.Thumbprint == _thumbprint)
        {
            onDisk?.Dispose();
            return;
        }

        // The client before the current one may still have a call in flight only if two renewals
        // came within one call: it is disposed a renewal later, not now.
        Release(_previous);
        _previous = _current;
        _current = (new NodeApiClient(_server, onDisk, _time), onDisk);
        _thumbprint = onDisk.Certificate.Thumbprint;
    }

    private static void Release((NodeApiClient Client, NodeIdentity? Owned)? held)
    {
        if (held is { } h)
        {
            h.Client.Dispose();
            h.Owned?.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Release(_previous);
            Release(_current);
        }
    }
}
