using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>libc entry points, named as in the C headers (fcntl.h, unistd.h, sys/statvfs.h).</summary>
internal static partial class Libc
{
    /// <summary>glibc's soname on Debian x64 and arm64; naming it skips the loader's probing of "libc.so", a linker script.</summary>
    internal const string Name = "libc.so.6";

    internal const int O_RDONLY = 0x0;
    /// <summary>
    /// Differs by architecture: 0200000 on x64, 040000 on arm64 and arm (where 0200000 is
    /// O_DIRECT, which open(2) refuses for a directory with EINVAL).
    /// </summary>
    internal static readonly int O_DIRECTORY =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int EINTR = 4;
    internal const int ESRCH = 3;
    internal const int ENOENT = 2;

    [LibraryImport(Libc.Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc.Name, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport(Libc.Name, EntryPoint = "setenv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Setenv(string name, string value, int overwrite);

    [LibraryImport(Libc.Name, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int Fdatasync(Microsoft.Win32.SafeHandles.SafeFileHandle fd);

    [LibraryImport(Libc.Name, EntryPoint = "sync_file_range", SetLastError = true)]
    internal static partial int SyncFileRange(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long nbytes, uint flags);

    internal const uint SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    internal const uint SYNC_FILE_RANGE_WRITE = 2;
    internal const uint SYNC_FILE_RANGE_WAIT_AFTER = 4;

    [LibraryImport(Libc.Name, EntryPoint = "gettid")]
    internal static partial int Gettid();

    [LibraryImport(Libc.Name, EntryPoint = "setpriority", SetLastError = true)]
    internal static partial int Setpriority(int which, int who, int priority);

    internal const int PRIO_PROCESS = 0;

    [LibraryImport(Libc.Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc.Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport(Libc.Name, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport(Libc.Name, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Umount2(string target, int flags);

    [LibraryImport(Libc.Name, EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int Statvfs(string path, StatVfs* buffer);

    [LibraryImport(Libc.Name, EntryPoint = "madvise", SetLastError = true)]
    internal static unsafe partial int Madvise(void* address, nuint length, int advice);

    [LibraryImport(Libc.Name, EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Execve(string path, string?[] argv, string?[] envp);
}

/// <summary>
/// glibc's <c>struct statvfs</c> on 64-bit Linux (x64 and arm64 share it): every count is an
/// unsigned long, then six ints of padding; 112 bytes in all.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StatVfs
{
    public ulong BlockSize;
    public ulong FragmentSize;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public ulong FilesAvailable;
    public ulong FileSystemId;
    public ulong Flags;
    public ulong NameMax;
    private unsafe fixed int _spare[6];
}
