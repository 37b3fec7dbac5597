namespace Edge.Store;

/// <summary>Any failure of the store, with a message fit for an operator.</summary>
public class StoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The request itself is wrong (key or value too large, duplicate key in a transaction).</summary>
public sealed class StoreRequestException(string message) : StoreException(message);

/// <summary>The revision asked for is older than the compacted revision.</summary>
public sealed class StoreCompactedException(long compactRevision)
    : StoreException($"required revision has been compacted (compacted revision {compactRevision})")
{
    public long CompactRevision { get; } = compactRevision;
}

/// <summary>The revision asked for does not exist yet.</summary>
public sealed class StoreFutureRevisionException(long revision, long current)
    : StoreException($"required revision {revision} is a future revision (current {current})");

/// <summary>The lease does not exist (expired, revoked or never granted).</summary>
public sealed class LeaseNotFoundException(long leaseId) : StoreException($"lease {leaseId:x} not found")
{
    public long LeaseId { get; } = leaseId;
}

/// <summary>The data on disk cannot be trusted; the store refuses to open.</summary>
public sealed class StoreCorruptException(string message) : StoreException(message);
