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
    /// environment) plus <paramref name="variables"/>, unless the first of them is set already (the
    /// marker that this is the fresh start, or that the caller chose values of its own). For runtime
    /// settings that are read only from the environment before managed code runs. Returns only when
    /// it did nothing or execve failed (then the process goes on as it is).
    /// </summary>
    public static bool ReexecWith(params ReadOnlySpan<(string Name, string Value)> variables)
    {
        if (variables.Length == 0 || Environment.GetEnvironmentVariable(variables[0].Name) is not null || Environment.ProcessPath is not { } program)
        {
            return false;
        }

        var arguments = Environment.GetCommandLineArgs();
        var argv = new string?[arguments.Length + 1];
        argv[0] = program;
        Array.Copy(arguments, 1, argv, 1, arguments.Length - 1);
        var environment = Environment.GetEnvironmentVariables();
        foreach (var (name, value) in variables)
        {
            // A value the user set stays.
            if (!environment.Contains(name))
            {
                environment[name] = value;
            }
        }

        var envp = new string?[environment.Count + 1];
        var i = 0;
        foreach (System.Collections.DictionaryEntry entry in environment)
        {
            envp[i++] = $"{entry.Key}={entry.Value}";
        }

        Libc.Execve(program, argv, envp);
        return false;
    }
}
