namespace Edge.Store.Embedded;

/// <summary>Settings of the embedded engine.</summary>
public sealed record EmbeddedStoreOptions(string Directory)
{
    /// <summary>A WAL segment is closed and a new one started past this size. Default 64 MiB.</summary>
    public long SegmentBytes { get; init; } = 64L << 20;

    /// <summary>
    /// WAL written since the last snapshot that triggers the next one, which then drops the old
    /// segments: the bound on WAL disk use between snapshots. Default 128 MiB.
    /// </summary>
    public long MaxWalBytesBetweenSnapshots { get; init; } = 128L << 20;

    /// <summary>How often lease deadlines are checked. Default 250 ms.</summary>
    public TimeSpan LeaseCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Most writes committed by one fdatasync.</summary>
    public int MaxBatch { get; init; } = 4096;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>What opening the store found and did, for the server's log.</summary>
public sealed record RecoveryReport(
    string? Snapshot, long SnapshotRevision, long WalRecords, long Revision, long Keys, string? Dropped, TimeSpan Elapsed);
