namespace Edge.Store.Embedded;

/// <summary>
/// The in-memory state of the embedded engine: every live key and every revision kept since the
/// last compaction, plus the event log that watches replay. Not thread-safe: the store guards it
/// with one lock. Entries are immutable and shared between the key histories and the event log,
/// so history costs one reference per revision, not a copy of the value.
/// </summary>
internal sealed class MvccIndex
{
    private readonly SortedSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Entry>> _histories = new(StringComparer.Ordinal);
    private readonly List<RevisionEvents> _log = [];

    /// <summary>Keys holding more than their one live entry: all that compaction has to visit.</summary>
    private readonly HashSet<string> _withHistory = new(StringComparer.Ordinal);

    /// <summary>The newest revision applied (it may not be durable yet).</summary>
    public long Revision { get; private set; }

    /// <summary>Reads and watches before this revision are refused.</summary>
    public long CompactRevision { get; private set; }

    /// <summary>Number of live keys.</summary>
    public long LiveKeys { get; private set; }

    /// <summary>Number of entries held (all revisions of all keys since compaction).</summary>
    public long Entries { get; private set; }

    /// <summary>One revision of one key; <see cref="Kv"/> null marks a delete.</summary>
    public readonly record struct Entry(long Revision, KeyValue? Kv);

    /// <summary>The changes made at one revision, in order.</summary>
    public sealed record RevisionEvents(long Revision, WatchEvent[] Events);

    /// <summary>The value of a key at a revision, or null if it did not exist then.</summary>
    public KeyValue? Get(string key, long revision)
    {
        if (!_histories.TryGetValue(key, out var history))
        {
            return null;
        }

        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].Revision <= revision)
            {
                return history[i].Kv;
            }
        }

        return null;
    }

    /// <summary>Keys of <c>[start, end)</c> (or the one key) that existed at the revision, in key order.</summary>
    public IEnumerable<KeyValue> Range(string start, string? end, long revision)
    {
        if (end is null)
        {
            if (Get(start, revision) is { } single)
            {
                yield return single;
            }

            yield break;
        }

        if (_keys.Count == 0 || string.CompareOrdinal(start, _keys.Max) > 0)
        {
            yield break;
        }

        var upper = end == RangeRequest.AllFrom || string.CompareOrdinal(end, _keys.Max) > 0 ? _keys.Max! : end;
        if (string.CompareOrdinal(start, upper) > 0)
        {
            yield break;
        }

        foreach (var key in _keys.GetViewBetween(start, upper))
        {
            if (end != RangeRequest.AllFrom && string.CompareOrdinal(key, end) >= 0)
            {
                yield break;
            }

            if (Get(key, revision) is { } kv)
            {
                yield return kv;
            }
        }
    }

    /// <summary>Starts a new revision; the mutations that follow belong to it.</summary>
    public long BeginRevision() => Revision + 1;

    /// <summary>
    /// Puts a key at <paramref name="revision"/>. Create revision and version follow from the
    /// history unless given (a snapshot restores them for keys whose earlier history is compacted).
    /// </summary>
    public WatchEvent Put(string key, byte[] value, long lease, long revision, long createRevision = 0, long version = 0)
    {
        var previous = Latest(key);
        if (createRevision == 0)
        {
            createRevision = previous is null ? revision : previous.CreateRevision;
            version = previous is null ? 1 : previous.Version + 1;
        }

        var kv = new KeyValue(key, value, createRevision, revision, version, lease);
        Append(key, new Entry(revision, kv));
        if (previous is null)
        {
            LiveKeys++;
        }

        return new WatchEvent(WatchEventType.Put, kv, previous);
    }

    /// <summary>Deletes a live key at <paramref name="revision"/>; null when it was not live.</summary>
    public WatchEvent? Delete(string key, long revision)
    {
        var previous = Latest(key);
        if (previous is null)
        {
            return null;
        }

        Append(key, new Entry(revision, null));
        LiveKeys--;
        return new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], 0, revision, 0, 0), previous);
    }

    /// <summary>Records the events of a finished revision and makes it the current one.</summary>
    public void EndRevision(long revision, List<WatchEvent> events)
    {
        Revision = revision;
        _log.Add(new RevisionEvents(revision, [.. events]));
    }

    /// <summary>The newest value of a key, whatever its revision (null if deleted or never put).</summary>
    public KeyValue? Latest(string key) =>
        _histories.TryGetValue(key, out var history) ? history[^1].Kv : null;

    /// <summary>The revisions recorded in <c>[from, to]</c>, oldest first.</summary>
    public IEnumerable<RevisionEvents> EventsBetween(long from, long to)
    {
        var lo = 0;
        var hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_log[mid].Revision < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        for (var i = lo; i < _log.Count && _log[i].Revision <= to; i++)
        {
            yield return _log[i];
        }
    }

    /// <summary>
    /// Undoes every revision after <paramref name="revision"/> (a batch whose write to disk failed).
    /// </summary>
    public void RollBackTo(long revision)
    {
        while (_log.Count > 0 && _log[^1].Revision > revision)
        {
            var undone = _log[^1];
            _log.RemoveAt(_log.Count - 1);
            foreach (var e in undone.Events)
            {
                var history = _histories[e.Kv.Key];
                var removed = history[^1];
                history.RemoveAt(history.Count - 1);
                Entries--;
                var wasLive = removed.Kv is not null;
                var isLive = history.Count > 0 && history[^1].Kv is not null;
                LiveKeys += (isLive ? 1 : 0) - (wasLive ? 1 : 0);
                if (history.Count == 0)
                {
                    _histories.Remove(e.Kv.Key);
                    _keys.Remove(e.Kv.Key);
                    _withHistory.Remove(e.Kv.Key);
                }
            }
        }

        Revision = revision;
    }

    /// <summary>
    /// Forgets history before <paramref name="revision"/>: each key keeps its newest entry at or
    /// before it (if live) and everything after; keys deleted before it vanish entirely.
    /// </summary>
    public void Compact(long revision)
    {
        if (revision <= CompactRevision)
        {
            return;
        }

        var emptied = new List<string>();
        var settled = new List<string>();
        foreach (var key in _withHistory)
        {
            var history = _histories[key];
            var keepFrom = history.FindLastIndex(e => e.Revision <= revision);
            if (keepFrom < 0)
            {
                continue;
            }

            if (history[keepFrom].Kv is null)
            {
                keepFrom++; // a delete at or before the compaction point needs no record
            }

            if (keepFrom > 0)
            {
                history.RemoveRange(0, keepFrom);
                Entries -= keepFrom;
            }

            if (history.Count == 0)
            {
                emptied.Add(key);
            }
            else if (history.Count == 1 && history[0].Kv is not null)
            {
                settled.Add(key);
            }

            history.TrimExcess();
        }

        foreach (var key in emptied)
        {
            _histories.Remove(key);
            _keys.Remove(key);
            _withHistory.Remove(key);
        }

        foreach (var key in settled)
        {
            _withHistory.Remove(key);
        }

        var firstKept = _log.FindIndex(r => r.Revision >= revision);
        _log.RemoveRange(0, firstKept < 0 ? _log.Count : firstKept);
        CompactRevision = revision;
    }

    /// <summary>The revision of a snapshot whose last revisions were compacted away or held no change.</summary>
    public void SetRevision(long revision) => Revision = Math.Max(Revision, revision);

    /// <summary>Sets the compacted revision of a store being restored from a snapshot.</summary>
    public void RestoreCompactRevision(long revision)
    {
        CompactRevision = revision;
        var firstKept = _log.FindIndex(r => r.Revision >= revision);
        _log.RemoveRange(0, firstKept < 0 ? _log.Count : firstKept);
    }

    /// <summary>Every entry held, unordered: a quick copy of references taken under the lock.</summary>
    public List<(string Key, Entry Entry)> AllEntries()
    {
        var all = new List<(string, Entry)>((int)Math.Min(Entries, int.MaxValue));
        foreach (var (key, history) in _histories)
        {
            foreach (var entry in history)
            {
                all.Add((key, entry));
            }
        }

        return all;
    }

    /// <summary>Puts a copy from <see cref="AllEntries"/> in revision order (what a snapshot writes), outside the lock.</summary>
    public static void SortByRevision(List<(string Key, Entry Entry)> entries) =>
        entries.Sort((a, b) => a.Entry.Revision.CompareTo(b.Entry.Revision));

    private void Append(string key, Entry entry)
    {
        if (!_histories.TryGetValue(key, out var history))
        {
            _histories[key] = history = new List<Entry>(1);
            _keys.Add(key);
        }

        history.Add(entry);
        Entries++;
        if (history.Count > 1 || entry.Kv is null)
        {
            _withHistory.Add(key);
        }
    }
}
