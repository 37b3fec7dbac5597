namespace Edge.Api.Meta;

/// <summary>The body of <c>GET /version</c> (apimachinery <c>version.Info</c>).</summary>
public sealed record VersionInfo(
    string Major,
    string Minor,
    string GitVersion,
    string GitCommit,
    string GitTreeState,
    string BuildDate,
    string GoVersion,
    string Compiler,
    string Platform);
