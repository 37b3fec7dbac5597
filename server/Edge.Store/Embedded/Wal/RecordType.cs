namespace Edge.Store.Embedded.Wal;

/// <summary>The kinds of framed records in WAL segments and snapshot files.</summary>
internal enum RecordType : byte
{
    /// <summary>First record of a segment: format version and segment sequence number.</summary>
    SegmentHeader = 1,

    /// <summary>The mutations of one revision.</summary>
    Txn = 2,
    LeaseGrant = 3,
    LeaseRevoke = 4,
    Compact = 5,

    SnapshotHeader = 10,
    SnapshotLease = 11,
    SnapshotEntry = 12,
    SnapshotEnd = 13,
}
