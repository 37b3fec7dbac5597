using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>File-system calls .NET does not offer.</summary>
public static class FileSystem
{
    /// <summary>
    /// Makes a directory's entries durable: after a rename into it, the new name survives a
    /// power cut only once the directory itself is fsynced. .NET cannot open a directory, hence libc.
    /// </summary>
    public static void SyncDirectory(string path)
    {
        int fd;
        do
        {
            fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

        if (fd < 0)
        {
            throw Error("open", path);
        }

        try
        {
            int rc;
            do
            {
                rc = Libc.Fsync(fd);
            }
            while (rc < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

            if (rc < 0)
            {
                throw Error("fsync", path);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>
    /// Makes a file's written data durable (fdatasync: data and the size, without the
    /// timestamps a full fsync would also write — less flash wear per commit).
    /// </summary>
    public static void SyncData(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string pathForErrors)
    {
        int rc;
        do
        {
            rc = Libc.Fdatasync(handle);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

        if (rc < 0)
        {
            throw Error("fdatasync", pathForErrors);
        }
    }

    /// <summary>
    /// Writes a range of a file's dirty pages to the device and waits for them, without the
    /// journal commit and device cache flush of fsync: a large file written in steps this way
    /// never leaves a pile of dirty pages for another file's fdatasync to wait behind (ext4's
    /// ordered mode writes them out before its next commit). Not a durability point: the file
    /// still needs its fsync at the end.
    /// </summary>
    public static void WriteBack(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long length, string pathForErrors)
    {
        int rc;
        do
        {
            rc = Libc.SyncFileRange(handle, offset, length,
                Libc.SYNC_FILE_RANGE_WAIT_BEFORE | Libc.SYNC_FILE_RANGE_WRITE | Libc.SYNC_FILE_RANGE_WAIT_AFTER);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

        if (rc < 0)
        {
            throw Error("sync_file_range", pathForErrors);
        }
    }

    /// <summary>
    /// Deletes a large file a few MiB at a time from its end, pausing between steps, then
    /// unlinks it. Freeing hundreds of MB at once is one big journal transaction (and, on a
    /// file system mounted with <c>discard</c>, one big discard) that every other file's next
    /// fdatasync waits behind; in steps, each commit carries at most one step. For background
    /// threads only: it takes as long as the file is large. A missing file is no error.
    /// </summary>
    public static void DeleteGradually(string path, long stepBytes = 4L << 20, int pauseMilliseconds = 2)
    {
        try
        {
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
            {
                for (var length = RandomAccess.GetLength(handle) - stepBytes; length > 0; length -= stepBytes)
                {
                    RandomAccess.SetLength(handle, length);
                    Thread.Sleep(pauseMilliseconds);
                }
            }

            File.Delete(path);
        }
        catch (FileNotFoundException)
        {
        }
    }

    private static IOException Error(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }
}
