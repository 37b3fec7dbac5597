namespace Edge.Native;

/// <summary>
/// Writes a file so that a crash leaves either the old content or the new, never a mix:
/// temp file, fsync, rename over the target, fsync of the directory.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Readable by everyone, written by the owner (0644).</summary>
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var copy = content.ToArray();
        Write(path, stream => stream.Write(copy), mode);
    }

    /// <summary>
    /// The same for content produced as a stream (a snapshot of hundreds of MB): <paramref name="writeContent"/>
    /// writes into the temp file; the fsync, rename and directory fsync follow.
    /// </summary>
    public static void Write(string path, Action<FileStream> writeContent, UnixFileMode mode)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
                BufferSize = 1 << 16,
            }))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            // The create mode is filtered by the umask; the caller asked for exactly this mode.
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, full, overwrite: true);
            FileSystem.SyncDirectory(directory);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteText(string path, string content, UnixFileMode mode) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(content), mode);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the temp name is ours alone and is overwritten by the next attempt.
        }
    }
}
