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

    /// <summary>
    /// Replaces this process with a fresh start of the same program (same PID, arguments and
    /// environment) plus <paramref name="name"/>=<paramref name="value"/>, unless the variable is set
    /// already. For runtime settings that are read only from the environment before managed code
    /// runs. Returns only when it did nothing or execve failed (then the process goes on as it is).
    /// </summary>
    public static bool ReexecWith(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null || Environment.ProcessPath is not { } program)
        {
            return false;
        }

        var arguments = Environment.GetCommandLineArgs();
        var argv = new string?[arguments.Length + 1];
        argv[0] = program;
        Array.Copy(arguments, 1, argv, 1, arguments.Length - 1);
        var environment = Environment.GetEnvironmentVariables();
        var envp = new string?[environment.Count + 2];
        var i = 0;
        foreach (System.Collections.DictionaryEntry entry in environment)
        {
            envp[i++] = $"{entry.Key}={entry.Value}";
        }

        envp[i] = $"{name}={value}";
        Libc.Execve(program, argv, envp);
        return false;
    }
}
