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

    private static IOException Error(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }
}
