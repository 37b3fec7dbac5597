using System.Runtime.InteropServices;

namespace Edge.Native.HostInfo;

/// <summary>
/// Space and inodes of the file system holding a path, as statvfs(3) reports them to an
/// unprivileged process (<c>f_bavail</c>/<c>f_favail</c>: the root-reserved blocks are not available).
/// </summary>
/// <param name="FileSystemId">Tells two paths on one file system apart from two file systems.</param>
public sealed record FileSystemStats(long CapacityBytes, long AvailableBytes, long Inodes, long InodesFree, ulong FileSystemId)
{
    /// <summary>statvfs on <paramref name="path"/>; null when the path does not exist (yet).</summary>
    public static unsafe FileSystemStats? Of(string path)
    {
        StatVfs buffer;
        int rc;
        do
        {
            rc = Libc.Statvfs(path, &buffer);
        }
        while (rc < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

        if (rc < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT)
            {
                return null;
            }

            throw new IOException($"statvfs {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        // f_frsize is the unit of the block counts; f_bsize only the preferred I/O size.
        var unit = buffer.FragmentSize != 0 ? buffer.FragmentSize : buffer.BlockSize;
        return new FileSystemStats(
            checked((long)(buffer.Blocks * unit)),
            checked((long)(buffer.BlocksAvailable * unit)),
            (long)buffer.Files,
            (long)buffer.FilesAvailable,
            buffer.FileSystemId);
    }
}
