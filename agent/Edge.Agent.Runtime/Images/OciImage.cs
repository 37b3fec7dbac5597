namespace Edge.Agent.Runtime.Images;

/// <summary>A single-layer image to write with <see cref="OciImageWriter"/>.</summary>
/// <param name="Reference">The full reference it is imported and served as (<c>edge.local/pause:3.10</c>).</param>
/// <param name="Architecture">GOARCH-style name: <c>amd64</c>, <c>arm64</c>.</param>
/// <param name="Layer">The layer's entries in the order they are written; parents before children.</param>
public sealed record OciImage(string Reference, string Architecture, IReadOnlyList<LayerEntry> Layer)
{
    public string Os { get; init; } = "linux";

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public string WorkingDir { get; init; } = "/";
}
