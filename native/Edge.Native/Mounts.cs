using System.Globalization;
using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>The few mounts the agent makes itself (sys/mount.h): tmpfs for memory-backed volumes.</summary>
public static class Mounts
{
    private const ulong MS_NOSUID = 2;
    private const ulong MS_NODEV = 4;
    private const int MNT_DETACH = 2;
    private const int EINVAL = 22;
    private const int ENOENT = 2;

    /// <summary>Mounts a tmpfs of at most <paramref name="sizeBytes"/> (0: the kernel default, half of RAM) at <paramref name="path"/>.</summary>
    public static void MountTmpfs(string path, long sizeBytes)
    {
        var options = sizeBytes > 0 ? $"mode=0777,size={sizeBytes.ToString(CultureInfo.InvariantCulture)}" : "mode=0777";
        if (Libc.Mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mount tmpfs on {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>Detaches whatever is mounted at <paramref name="path"/>; false when nothing was (EINVAL) or the path is gone.</summary>
    public static bool Unmount(string path)
    {
        if (Libc.Umount2(path, MNT_DETACH) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is EINVAL or ENOENT)
        {
            return false;
        }

        throw new IOException($"umount {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>True when <paramref name="path"/> is a mount point (listed in /proc/self/mountinfo).</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
