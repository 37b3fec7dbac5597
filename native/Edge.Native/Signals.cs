using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>Signals to a process by its PID (signal.h). .NET offers only SIGKILL (<c>Process.Kill</c>).</summary>
public static class Signals
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/>; false when the process no longer exists (ESRCH).</summary>
    public static bool Send(int pid, int signal)
    {
        if (pid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "a PID is positive; 0 and negative values address process groups");
        }

        if (Libc.Kill(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.ESRCH)
        {
            return false;
        }

        throw new InvalidOperationException($"kill({pid}, {signal}): {Marshal.GetPInvokeErrorMessage(errno)}");
    }
}
