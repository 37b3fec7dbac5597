namespace Edge.Store;

/// <summary>
/// A key at one revision, as etcd's mvccpb.KeyValue: <see cref="Version"/> counts puts since the
/// key was (re)created, <see cref="Lease"/> is 0 when none.
/// </summary>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>A granted lease.</summary>
public sealed record Lease(long Id, TimeSpan Ttl);

/// <summary>What <see cref="IStore.StatusAsync"/> reports.</summary>
public sealed record StoreStatus(string Engine, long Revision, long CompactRevision, long DbSizeBytes, long Keys);

/// <summary>Size limits shared by both engines (etcd's defaults).</summary>
public static class StoreLimits
{
    /// <summary>Largest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 32 * 1024;

    /// <summary>Largest value (etcd's default request limit, 1.5 MiB).</summary>
    public const int MaxValueBytes = 3 * 512 * 1024;

    /// <summary>Most operations in one transaction (etcd's default).</summary>
    public const int MaxTxnOps = 128;
}
