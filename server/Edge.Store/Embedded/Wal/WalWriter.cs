using Edge.Native;
using Microsoft.Win32.SafeHandles;

namespace Edge.Store.Embedded.Wal;

/// <summary>
/// Appends framed records to the current WAL segment (<c>wal/&lt;sequence&gt;.wal</c>) and makes
/// them durable with one fdatasync per batch. A failed append is cut off again, so the file never
/// keeps bytes of a batch that was not acknowledged.
/// </summary>
internal sealed class WalWriter : IDisposable
{
    private readonly string _directory;
    private SafeFileHandle _handle;

    private WalWriter(string directory, long sequence, SafeFileHandle handle, long offset)
    {
        _directory = directory;
        Sequence = sequence;
        _handle = handle;
        Offset = offset;
    }

    public long Sequence { get; private set; }

    /// <summary>Bytes in the current segment.</summary>
    public long Offset { get; private set; }

    public string CurrentPath => SegmentPath(_directory, Sequence);

    public static string SegmentPath(string directory, long sequence) => Path.Combine(directory, $"{sequence:D16}.wal");

    /// <summary>Sequence numbers of the segments in the directory, oldest first.</summary>
    public static List<long> ListSegments(string directory) =>
        Directory.EnumerateFiles(directory, "*.wal")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), out var s) ? s : -1)
            .Where(s => s >= 0)
            .Order()
            .ToList();

    /// <summary>Continues an existing segment after recovery checked it up to <paramref name="offset"/>.</summary>
    public static WalWriter Continue(string directory, long sequence, long offset)
    {
        var handle = File.OpenHandle(SegmentPath(directory, sequence), FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, offset);
        return new WalWriter(directory, sequence, handle, offset);
    }

    /// <summary>Starts a new segment: its header is durable, and so is its name in the directory.</summary>
    public static WalWriter Create(string directory, long sequence)
    {
        var path = SegmentPath(directory, sequence);
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var writer = new WalWriter(directory, sequence, handle, 0);
        var header = new ByteWriter(64);
        WalRecords.WriteSegmentHeader(header, sequence);
        writer.Commit(header.Span);
        FileSystem.SyncDirectory(directory);
        return writer;
    }

    /// <summary>Writes the batch and waits until it is on disk.</summary>
    public void Commit(ReadOnlySpan<byte> records)
    {
        var start = Offset;
        try
        {
            RandomAccess.Write(_handle, records, start);
            FileSystem.SyncData(_handle, CurrentPath);
            Offset = start + records.Length;
        }
        catch (Exception) when (TryCutBack(start))
        {
            throw;
        }
    }

    /// <summary>Closes this segment and opens the next one.</summary>
    public void Rotate()
    {
        var next = Create(_directory, Sequence + 1);
        _handle.Dispose();
        _handle = next._handle;
        Sequence = next.Sequence;
        Offset = next.Offset;
    }

    public void Dispose() => _handle.Dispose();

    private bool TryCutBack(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException)
        {
            // Recovery will cut the torn tail if this process dies before it can.
        }

        return false; // never swallow the original failure
    }
}
