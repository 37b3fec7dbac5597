namespace Edge.E2E.Tests.Infrastructure;

/// <summary>A real kubectl of a given minor version, with a private discovery cache.</summary>
public sealed class Kubectl(string minor, string cacheDir)
{
    public static readonly string[] Versions = ["1.27", "1.33"];

    public string Path { get; } = FindKubectl(minor);

    public Task<RunResult> RunAsync(string kubeconfig, params string[] args) =>
        Run.Async(Path, ["--kubeconfig", kubeconfig, "--request-timeout", "20s", .. args], new Dictionary<string, string?>
        {
            ["KUBECACHEDIR"] = cacheDir,
            ["KUBECONFIG"] = null,
        });

    private static string FindKubectl(string minor)
    {
        var path = $"/usr/lib/google-cloud-sdk/bin/kubectl.{minor}";
        return File.Exists(path) ? path : throw new FileNotFoundException($"kubectl {minor} is not installed at {path}", path);
    }
}
