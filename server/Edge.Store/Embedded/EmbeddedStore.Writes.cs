using Edge.Store.Embedded.Wal;

namespace Edge.Store.Embedded;

public sealed partial class EmbeddedStore
{
    private readonly ByteWriter _walBuffer = new(1 << 20);
    private readonly ByteWriter _scratch = new(1 << 16);
    private readonly List<Action> _undo = [];
    private long _walBytesSinceSnapshot;
    private bool _compactedSinceSnapshot;

    /// <summary>A queued write: runs under the lock in the writer, answers after the batch is durable.</summary>
    private abstract class PendingWrite
    {
        public bool Failed { get; protected set; }

        public abstract void Run(EmbeddedStore store);

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class PendingWrite<T>(Func<EmbeddedStore, T> run) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _completion.Task;

        public override void Run(EmbeddedStore store)
        {
            try
            {
                _result = run(store);
            }
            catch (StoreException e)
            {
                Fail(e);
            }
        }

        public override void Complete()
        {
            if (!Failed)
            {
                _completion.TrySetResult(_result);
            }
        }

        public override void Fail(Exception error)
        {
            Failed = true;
            _completion.TrySetException(error);
        }
    }

    private Task<T> Enqueue<T>(Func<EmbeddedStore, T> run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingWrite<T>(run);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(EmbeddedStore));
        }

        return pending.Task;
    }

    public Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default)
    {
        RequestChecks.CheckTxn(request);
        return Enqueue(store => store.ApplyTxn(request), cancellationToken);
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        Enqueue(store => store.ApplyCompact(revision), cancellationToken);

    /// <summary>
    /// The group-commit loop: takes every queued write, applies them in order to the index, writes
    /// all their records with one write and one fdatasync, then makes them visible and answers.
    /// </summary>
    private async Task WriterLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            long before;
            lock (_lock)
            {
                before = _committed;
                _walBuffer.Clear();
                _undo.Clear();
                foreach (var write in batch)
                {
                    write.Run(this);
                }
            }

            if (_walBuffer.Length > 0 && !TryCommit(batch, before))
            {
                continue;
            }

            lock (_lock)
            {
                _committed = _index.Revision;
                Publish(before, _committed);
                if (_pendingCompaction > 0)
                {
                    _index.Compact(_pendingCompaction);
                    _pendingCompaction = 0;
                    _compactedSinceSnapshot = true;
                }
            }

            foreach (var write in batch)
            {
                write.Complete();
            }

            _walBuffer.Trim(4 << 20);
            MaybeRotateAndSnapshot();
        }
    }

    private bool TryCommit(List<PendingWrite> batch, long before)
    {
        try
        {
            _wal.Commit(_walBuffer.Span);
            _walBytesSinceSnapshot += _walBuffer.Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_lock)
            {
                _index.RollBackTo(before);
                for (var i = _undo.Count - 1; i >= 0; i--)
                {
                    _undo[i]();
                }
            }

            var error = new StoreException($"cannot write the WAL {_wal.CurrentPath}: {e.Message.Split(" : '")[0]}; nothing of this write was kept", e);
            foreach (var write in batch)
            {
                if (!write.Failed)
                {
                    write.Fail(error);
                }
            }

            return false;
        }
    }

    /// <summary>Runs a transaction against the newest applied state. Writer only, under the lock.</summary>
    private TxnResult ApplyTxn(TxnRequest request)
    {
        var succeeded = request.Compares.All(Holds);
        var ops = succeeded ? request.Success : request.Failure ?? [];
        var revision = _index.BeginRevision();
        foreach (var op in ops)
        {
            if (op is PutOp { Lease: not 0 } put && !_leases.ContainsKey(put.Lease))
            {
                throw new LeaseNotFoundException(put.Lease);
            }
        }

        var mutations = new List<Mutation>();
        var results = new List<TxnOpResult>(ops.Count);
        foreach (var op in ops)
        {
            switch (op)
            {
                case PutOp put:
                    var replaced = _index.Put(put.Key, put.Value, put.Lease, revision);
                    mutations.Add(new Mutation(put.Key, put.Value, put.Lease));
                    results.Add(new PutResult(put.PrevKv ? replaced : null));
                    break;

                case DeleteOp delete:
                    var doomed = _index.Range(delete.Key, delete.RangeEnd, revision).ToList();
                    var previous = new List<KeyValue>();
                    foreach (var kv in doomed)
                    {
                        if (_index.Delete(kv.Key, revision) is not null)
                        {
                            mutations.Add(new Mutation(kv.Key, null, 0));
                            previous.Add(kv);
                        }
                    }

                    results.Add(new DeleteResult(previous.Count, delete.PrevKv ? previous : []));
                    break;

                case RangeOp range:
                    results.Add(new RangeOpResult(Range(range.Request, mutations.Count > 0 ? revision : _index.Revision)));
                    break;
            }
        }

        if (mutations.Count == 0)
        {
            return new TxnResult(succeeded, _index.Revision, results);
        }

        _index.EndRevision(revision);
        WalRecords.WriteTxn(_walBuffer, _scratch, revision, mutations);
        return new TxnResult(succeeded, revision, results);
    }

    private bool Holds(Compare compare)
    {
        var kv = _index.Latest(compare.Key);
        if (compare.Target == CompareTarget.Value)
        {
            if (kv is null)
            {
                return false; // etcd: a value compare on a missing key is false
            }

            var order = kv.Value.AsSpan().SequenceCompareTo(compare.Value ?? []);
            return Matches(order, compare.Result);
        }

        var actual = compare.Target switch
        {
            CompareTarget.Version => kv?.Version ?? 0,
            CompareTarget.CreateRevision => kv?.CreateRevision ?? 0,
            CompareTarget.ModRevision => kv?.ModRevision ?? 0,
            CompareTarget.Lease => kv?.Lease ?? 0,
            _ => 0,
        };
        return Matches(actual.CompareTo(compare.Number), compare.Result);
    }

    private static bool Matches(int order, CompareResult result) => result switch
    {
        CompareResult.Equal => order == 0,
        CompareResult.NotEqual => order != 0,
        CompareResult.Greater => order > 0,
        CompareResult.Less => order < 0,
        _ => false,
    };

    private bool ApplyCompact(long revision)
    {
        if (revision <= _index.CompactRevision)
        {
            throw new StoreCompactedException(_index.CompactRevision);
        }

        if (revision > _index.Revision)
        {
            throw new StoreFutureRevisionException(revision, _index.Revision);
        }

        // Compaction cannot be undone in memory, so it is written first and applied only
        // when it is durable (see MaybeRotateAndSnapshot).
        WalRecords.WriteLong(_walBuffer, RecordType.Compact, revision);
        _pendingCompaction = revision;
        _undo.Add(() => _pendingCompaction = 0);
        return true;
    }

    private long _pendingCompaction;
}
