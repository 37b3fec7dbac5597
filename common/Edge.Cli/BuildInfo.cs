using System.Reflection;
using System.Runtime.InteropServices;

namespace Edge.Cli;

/// <summary>The identity of this build, stamped by packaging/Executable.props.</summary>
public sealed record BuildInfo(
    string EdgeVersion,
    string KubernetesVersion,
    string GitCommit,
    string GitTreeState,
    string BuildDate,
    string Platform)
{
    /// <summary>The Kubernetes-style version string, e.g. <c>v1.33.0+edge0.1.0</c>.</summary>
    public string GitVersion => $"v{KubernetesVersion}+edge{EdgeVersion}";

    public static BuildInfo FromAssembly(Assembly assembly)
    {
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .ToDictionary(a => a.Key, a => a.Value ?? "");
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            var other => other.ToString().ToLowerInvariant(),
        };
        return new BuildInfo(
            plus < 0 ? informational : informational[..plus],
            metadata.GetValueOrDefault("EdgeKubernetesVersion") is { Length: > 0 } k ? k : "0.0.0",
            metadata.GetValueOrDefault("EdgeGitCommit") is { Length: > 0 } c ? c : "unknown",
            metadata.GetValueOrDefault("EdgeGitTreeState") is { Length: > 0 } t ? t : "unknown",
            metadata.GetValueOrDefault("EdgeBuildDate") is { Length: > 0 } d ? d : "unknown",
            "linux/" + arch);
    }

    /// <summary>The text <c>edge-server version</c> and <c>edge-agent version</c> print.</summary>
    public string Describe(string executable) =>
        $"{executable} version {GitVersion} ({(GitCommit.Length > 12 ? GitCommit[..12] : GitCommit)}{(GitTreeState == "dirty" ? "-dirty" : "")})\n" +
        $"platform {Platform}, built {BuildDate}, {RuntimeInformation.FrameworkDescription}";
}
