using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>The C library's view of the process environment.</summary>
public static class ProcessEnvironment
{
    /// <summary>
    /// Sets a variable where native code (OpenSSL) reads it. <see cref="Environment.SetEnvironmentVariable(string, string)"/>
    /// changes only .NET's own copy on Unix, which libraries written in C never see.
    /// </summary>
    public static void SetForNativeCode(string name, string value)
    {
        if (Libc.Setenv(name, value, 1) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"setenv {name}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        Environment.SetEnvironmentVariable(name, value);
    }
}
