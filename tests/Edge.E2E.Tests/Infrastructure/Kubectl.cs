namespace Edge.E2E.Tests.Infrastructure;

/// <summary>A real kubectl of a given minor version, with a private discovery cache.</summary>
public sealed class Kubectl(string minor, string cacheDir)
{
    public static readonly string[] Versions = ["1.27", "1.33"];

    public string Path { get; } = FindKubectl(minor);

    public Task<RunResult> RunAsync(string kubeconfig, params string[] args) => RunWithAsync(kubeconfig, null, args);

    /// <summary>Runs with extra environment (for example <c>KUBE_EDITOR</c>).</summary>
    public Task<RunResult> RunWithAsync(string kubeconfig, IDictionary<string, string?>? env, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["KUBECACHEDIR"] = cacheDir,
            ["KUBECONFIG"] = null,
        };
        foreach (var (key, value) in env ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return Run.Async(Path, ["--kubeconfig", kubeconfig, "--request-timeout", "20s", .. args], environment);
    }

    /// <summary>Starts a long-running kubectl (such as <c>get -w</c>) whose output lines the test reads as they come.</summary>
    public StreamingProcess Start(string kubeconfig, params string[] args) =>
        StreamingProcess.Start(Path, ["--kubeconfig", kubeconfig, .. args], new Dictionary<string, string?>
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
