namespace Edge.Store;

/// <summary>
/// A read of one key (<see cref="RangeEnd"/> null), of <c>[Key, RangeEnd)</c>, or of every key
/// from <see cref="Key"/> on (<see cref="RangeEnd"/> = <see cref="AllFrom"/>).
/// </summary>
public sealed record RangeRequest(string Key)
{
    /// <summary>etcd's "\0" range end: every key greater than or equal to the key.</summary>
    public const string AllFrom = "\0";

    public string? RangeEnd { get; init; }

    /// <summary>At most this many keys (0 = no limit); <see cref="RangeResult.More"/> tells if there were more.</summary>
    public long Limit { get; init; }

    /// <summary>Read at this revision (0 = the current one).</summary>
    public long Revision { get; init; }

    /// <summary>Return only the count.</summary>
    public bool CountOnly { get; init; }

    /// <summary>
    /// Paging callers that need only <see cref="RangeResult.More"/> can spare the walk over every
    /// remaining key: <see cref="RangeResult.Count"/> is then only a lower bound. Engines may ignore it (etcd counts anyway).
    /// </summary>
    public bool WithoutCount { get; init; }

    /// <summary>Every key that starts with <paramref name="prefix"/>.</summary>
    public static RangeRequest Prefix(string prefix) => new(prefix) { RangeEnd = KeyRange.PrefixEnd(prefix) };
}

/// <summary>The keys found and the store revision the read saw.</summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Kvs, long Count, bool More, long Revision);

/// <summary>What a <see cref="Compare"/> looks at.</summary>
public enum CompareTarget
{
    Version,
    CreateRevision,
    ModRevision,
    Value,
    Lease,
}

/// <summary>How a <see cref="Compare"/> compares.</summary>
public enum CompareResult
{
    Equal,
    NotEqual,
    Greater,
    Less,
}

/// <summary>
/// One condition of a transaction, on one key. A missing key has version, create and mod
/// revision 0 and compares as such (etcd's rule), so <c>ModRevision == 0</c> means "does not exist".
/// </summary>
public sealed record Compare(string Key, CompareTarget Target, CompareResult Result, long Number = 0, byte[]? Value = null)
{
    public static Compare Missing(string key) => new(key, CompareTarget.CreateRevision, CompareResult.Equal, 0);

    public static Compare ModRevisionIs(string key, long revision) => new(key, CompareTarget.ModRevision, CompareResult.Equal, revision);
}

/// <summary>An operation inside a transaction.</summary>
public abstract record TxnOp;

/// <summary>Puts a value; <see cref="Lease"/> 0 means none.</summary>
public sealed record PutOp(string Key, byte[] Value, long Lease = 0, bool PrevKv = false) : TxnOp;

/// <summary>Deletes one key, or <c>[Key, RangeEnd)</c>.</summary>
public sealed record DeleteOp(string Key, string? RangeEnd = null, bool PrevKv = false) : TxnOp;

/// <summary>Reads inside the transaction, seeing its earlier operations.</summary>
public sealed record RangeOp(RangeRequest Request) : TxnOp;

/// <summary>A transaction: compares, then the success or the failure branch.</summary>
public sealed record TxnRequest(IReadOnlyList<Compare> Compares, IReadOnlyList<TxnOp> Success, IReadOnlyList<TxnOp>? Failure = null)
{
    /// <summary>An unconditional transaction.</summary>
    public static TxnRequest Do(params TxnOp[] ops) => new([], ops);
}

/// <summary>The result of one operation of the branch that ran.</summary>
public abstract record TxnOpResult;

public sealed record PutResult(KeyValue? PrevKv) : TxnOpResult;

public sealed record DeleteResult(long Deleted, IReadOnlyList<KeyValue> PrevKvs) : TxnOpResult;

public sealed record RangeOpResult(RangeResult Range) : TxnOpResult;

/// <summary>
/// Whether the compares held, the store revision after the transaction (unchanged when it wrote
/// nothing), and one result per operation.
/// </summary>
public sealed record TxnResult(bool Succeeded, long Revision, IReadOnlyList<TxnOpResult> Results);

/// <summary>A watch of one key, <c>[Key, RangeEnd)</c> or a prefix, from a revision (0 = from now).</summary>
public sealed record WatchRequest(string Key)
{
    public string? RangeEnd { get; init; }

    public long StartRevision { get; init; }

    /// <summary>Include the value before each change.</summary>
    public bool PrevKv { get; init; }

    public static WatchRequest Prefix(string prefix, long startRevision = 0, bool prevKv = false) =>
        new(prefix) { RangeEnd = KeyRange.PrefixEnd(prefix), StartRevision = startRevision, PrevKv = prevKv };
}

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>
/// A change. For a delete, <see cref="Kv"/> carries the key, an empty value and the deleting
/// revision as its mod revision (as etcd sends it).
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv);
