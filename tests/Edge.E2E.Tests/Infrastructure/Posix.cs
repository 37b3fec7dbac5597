using System.Runtime.InteropServices;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>Signals for the processes a test started (Process.Kill only sends SIGKILL).</summary>
internal static partial class Posix
{
    public const int SIGTERM = 15;

    public static void Kill(int pid, int signal)
    {
        if (SysKill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}
