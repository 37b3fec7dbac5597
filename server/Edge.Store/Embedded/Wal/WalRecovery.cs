namespace Edge.Store.Embedded.Wal;

/// <summary>What recovery found in the WAL.</summary>
/// <param name="Bytes">The WAL kept: every segment replayed, the last one up to <paramref name="ValidOffset"/>.</param>
internal sealed record WalReplay(long LastSequence, long ValidOffset, long Records, string? Dropped, long Bytes);

/// <summary>
/// Replays WAL segments in order. A record cut short, or damaged, at the very end of the last
/// segment is the trace of a crash during a write that was never acknowledged: it is cut off and
/// reported. Damage followed by valid records means lost data in the middle: recovery refuses,
/// because going on would silently drop everything after it.
/// </summary>
internal static class WalRecovery
{
    public delegate void Apply(RecordType type, ReadOnlySpan<byte> payload);

    public static WalReplay Replay(string directory, long fromSequence, Apply apply)
    {
        var segments = WalWriter.ListSegments(directory).Where(s => s >= fromSequence).ToList();
        if (segments.Count == 0)
        {
            return new WalReplay(-1, 0, 0, null, 0);
        }

        if (segments[0] != fromSequence && fromSequence > 0)
        {
            throw new StoreCorruptException($"WAL segment {WalWriter.SegmentPath(directory, fromSequence)} is missing; the WAL cannot be replayed");
        }

        for (var i = 1; i < segments.Count; i++)
        {
            if (segments[i] != segments[i - 1] + 1)
            {
                throw new StoreCorruptException($"WAL segment {WalWriter.SegmentPath(directory, segments[i - 1] + 1)} is missing between its neighbours");
            }
        }

        long records = 0;
        string? dropped = null;
        long validOffset = 0;
        long bytes = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var path = WalWriter.SegmentPath(directory, segments[i]);
            var data = File.ReadAllBytes(path);
            var isLast = i == segments.Count - 1;
            var offset = 0;
            while (offset < data.Length)
            {
                var status = RecordFrame.TryRead(data.AsSpan(offset), out var type, out var payload, out var frameLength);
                if (status != RecordFrame.ReadStatus.Ok)
                {
                    if (!isLast || HasValidRecordAfter(data, offset))
                    {
                        throw new StoreCorruptException(
                            $"WAL segment {path} is damaged at byte {offset} ({(status == RecordFrame.ReadStatus.Truncated ? "record cut short" : "checksum mismatch")}) " +
                            "and valid records follow; refusing to start rather than lose them. Restore the data dir from a snapshot (edge-server snapshot restore).");
                    }

                    dropped = $"cut {data.Length - offset} bytes of a torn record at the end of {path} (byte {offset}); it was never acknowledged";
                    break;
                }

                if (offset == 0)
                {
                    CheckHeader(path, type, payload, segments[i]);
                }
                else
                {
                    try
                    {
                        apply(type, payload);
                    }
                    catch (FormatException e)
                    {
                        throw new StoreCorruptException($"WAL segment {path}: record at byte {offset} does not decode: {e.Message}");
                    }

                    records++;
                }

                offset += frameLength;
            }

            validOffset = offset;
            bytes += offset;
        }

        return new WalReplay(segments[^1], validOffset, records, dropped, bytes);
    }

    private static void CheckHeader(string path, RecordType type, ReadOnlySpan<byte> payload, long sequence)
    {
        if (type != RecordType.SegmentHeader)
        {
            throw new StoreCorruptException($"WAL segment {path} does not start with a segment header");
        }

        var (version, recorded) = WalRecords.ReadLong(payload);
        if (version != WalRecords.FormatVersion)
        {
            throw new StoreCorruptException($"WAL segment {path} has format version {version}; this build reads {WalRecords.FormatVersion}");
        }

        if (recorded != sequence)
        {
            throw new StoreCorruptException($"WAL segment {path} says it is segment {recorded}");
        }
    }

    /// <summary>True when a whole, valid record starts anywhere after the damaged one.</summary>
    private static bool HasValidRecordAfter(byte[] data, int damagedAt)
    {
        for (var p = damagedAt + 1; p + RecordFrame.HeaderSize <= data.Length; p++)
        {
            if (RecordFrame.TryRead(data.AsSpan(p), out var type, out _, out _) == RecordFrame.ReadStatus.Ok
                && type is RecordType.Txn or RecordType.LeaseGrant or RecordType.LeaseRevoke or RecordType.Compact)
            {
                return true;
            }
        }

        return false;
    }
}
