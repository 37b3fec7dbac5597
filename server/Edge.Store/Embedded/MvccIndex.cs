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
    /// <summary>
    /// Every change since compaction, in revision order, as plain structs: watch events are made
    /// from it only when someone watches, so recovery and writes allocate no event objects.
    /// </summary>
    private readonly List<Change> _log = [];

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

    /// <summary>One change: the new value (null for a delete) and the value it replaced.</summary>
    private readonly record struct Change(long Revision, string Key, KeyValue? Kv, KeyValue? Previous)
    {
        public WatchEvent ToEvent() => Kv is not null
            ? new WatchEvent(WatchEventType.Put, Kv, Previous)
            : new WatchEvent(WatchEventType.Delete, new KeyValue(Key, [], 0, Revision, 0, 0), Previous);
    }

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

    /// <summary>
    /// The key's existing string if the index holds it, else a new one: recovery reads every
    /// revision of a key, and one string per key instead of per revision saves both time and memory.
    /// </summary>
    public string InternKey(ReadOnlySpan<byte> utf8)
    {
        Span<char> buffer = utf8.Length <= 512 ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var chars = buffer[..System.Text.Encoding.UTF8.GetChars(utf8, buffer)];
        return _histories.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var existing, out _)
            ? existing
            : new string(chars);
    }

    /// <summary>Starts a new revision; the mutations that follow belong to it.</summary>
    public long BeginRevision() => Revision + 1;

    /// <summary>
    /// Puts a key at <paramref name="revision"/>. Create revision and version follow from the
    /// history unless given (a snapshot restores them for keys whose earlier history is compacted).
    /// </summary>
    public KeyValue? Put(string key, byte[] value, long lease, long revision, long createRevision = 0, long version = 0)
    {
        var previous = Latest(key);
        if (createRevision == 0)
        {
            createRevision = previous is null ? revision : previous.CreateRevision;
            version = previous is null ? 1 : previous.Version + 1;
        }

        var kv = new KeyValue(key, value, createRevision, revision, version, lease);
        Append(key, new Entry(revision, kv));
        _log.Add(new Change(revision, key, kv, previous));
        if (previous is null)
        {
            LiveKeys++;
        }

        return previous;
    }

    /// <summary>Deletes a live key at <paramref name="revision"/>; returns the deleted value, null when it was not live.</summary>
    public KeyValue? Delete(string key, long revision)
    {
        var previous = Latest(key);
        if (previous is null)
        {
            return null;
        }

        Append(key, new Entry(revision, null));
        _log.Add(new Change(revision, key, null, previous));
        LiveKeys--;
        return previous;
    }

    /// <summary>Makes a finished revision the current one.</summary>
    public void EndRevision(long revision) => Revision = revision;

    /// <summary>The newest value of a key, whatever its revision (null if deleted or never put).</summary>
    public KeyValue? Latest(string key) =>
        _histories.TryGetValue(key, out var history) ? history[^1].Kv : null;

    /// <summary>The revisions recorded in <c>[from, to]</c>, oldest first, as watch events.</summary>
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

        var i = lo;
        while (i < _log.Count && _log[i].Revision <= to)
        {
            var revision = _log[i].Revision;
            var end = i;
            while (end < _log.Count && _log[end].Revision == revision)
            {
                end++;
            }

            var events = new WatchEvent[end - i];
            for (var j = i; j < end; j++)
            {
                events[j - i] = _log[j].ToEvent();
            }

            yield return new RevisionEvents(revision, events);
            i = end;
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
            var history = _histories[undone.Key];
            var removed = history[^1];
            history.RemoveAt(history.Count - 1);
            Entries--;
            var wasLive = removed.Kv is not null;
            var isLive = history.Count > 0 && history[^1].Kv is not null;
            LiveKeys += (isLive ? 1 : 0) - (wasLive ? 1 : 0);
            if (history.Count == 0)
            {
                _histories.Remove(undone.Key);
                _keys.Remove(undone.Key);
                _withHistory.Remove(undone.Key);
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

        TrimLog(revision);
        CompactRevision = revision;
    }

    /// <summary>The revision of a snapshot whose last revisions were compacted away or held no change.</summary>
    public void SetRevision(long revision) => Revision = Math.Max(Revision, revision);

    /// <summary>Sets the compacted revision of a store being restored from a snapshot.</summary>
    public void RestoreCompactRevision(long revision)
    {
        CompactRevision = revision;
        TrimLog(revision);
    }

    private void TrimLog(long revision)
    {
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
