namespace Edge.E2E.Tests.Infrastructure;

/// <summary>
/// A real <c>edge-agent</c> joined to a test server and running pods on its own containerd: its data
/// dir, pod log dir and CNI bridge are the test's own, and the busybox test image sits in its images
/// dir. Disposal stops the agent, then removes what outlives it — leftover pod processes (found
/// through their command lines naming this node's data dir, killed by PID), the bridge, and the dirs.
/// </summary>
public sealed class AgentNode : IAsyncDisposable
{
    private readonly TempDir _temp;
    private readonly string[] _runArgs;
    private StreamingProcess? _process;

    private AgentNode(TempDir temp, string name, string[] runArgs)
    {
        _temp = temp;
        Name = name;
        _runArgs = runArgs;
        Bridge = "edge" + Guid.NewGuid().ToString("N")[..8];
    }

    public string Name { get; }

    public string DataDir => _temp[Name + "-agent"];

    public string ConfigFile => _temp[Name + "-agent.yaml"];

    public string PodLogDir => _temp[Name + "-pod-logs"];

    public string Bridge { get; }

    /// <summary>The agent's own containerd socket (for ctr as the oracle).</summary>
    public string ContainerdSocket => Path.Combine(DataDir, "containerd", "containerd.sock");

    public StreamingProcess Process => _process ?? throw new InvalidOperationException("not running");

    /// <summary>Joins <paramref name="server"/> as <paramref name="name"/>, puts the busybox image in place and starts <c>run</c>.</summary>
    /// <param name="runArgs">More flags for <c>run</c> (e.g. <c>--pod-manifest-path</c>), given on every start.</param>
    public static async Task<AgentNode> StartAsync(TempDir temp, ServerProcess server, string name, params string[] runArgs)
    {
        var node = new AgentNode(temp, name, runArgs);
        var token = (await Run.Async(Binaries.Server(), ["token", "--data-dir", server.DataDir])).Stdout.Trim();
        var join = await Run.Async(Binaries.Agent(), [
            "join", $"https://127.0.0.1:{server.Port}", "--token", token, "--node-name", name, "--data-dir", node.DataDir, "--config", node.ConfigFile]);
        if (join.ExitCode != 0)
        {
            throw new InvalidOperationException("join failed: " + join);
        }

        var images = Path.Combine(node.DataDir, "images");
        Directory.CreateDirectory(images);
        TestImages.WriteBusybox(Path.Combine(images, "busybox.tar"));
        node.Start();
        return node;
    }

    public void Start()
    {
        _process = StreamingProcess.Start(Binaries.Agent(), ["run", "--config", ConfigFile, "--pod-log-dir", PodLogDir, "--cni-bridge", Bridge, .. _runArgs], new Dictionary<string, string?>());
    }

    /// <summary>SIGTERM and wait: the agent leaves, its pods keep running.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            Posix.Kill(process.Pid, Posix.SIGTERM);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>How long the waits below give the agent (pulls, starts and stops on 2 busy cores).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Runs kubectl until its output satisfies <paramref name="check"/>; fails with the last answer and both logs.</summary>
    public async Task<string> WaitForKubectlAsync(Kubectl kubectl, ServerProcess server, string[] args, Func<string, bool> check)
    {
        var deadline = DateTime.UtcNow + Patience;
        RunResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await kubectl.RunAsync(server.Kubeconfig, args);
            if (last.ExitCode == 0 && check(last.Stdout))
            {
                return last.Stdout;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"kubectl {string.Join(' ', args)}: not there in {Patience.TotalSeconds} s; last {last}\nagent:\n{Process.Errors}\nserver:\n{server.Output[^Math.Min(4000, server.Output.Length)..]}");
    }

    /// <summary>
    /// Polls the runtime's containers until their count satisfies <paramref name="check"/> (or time
    /// is up); returns the last list. A containerd that does not answer yet (just started with the
    /// agent) counts as not yet, until the time is up.
    /// </summary>
    public async Task<string[]> WaitForRuntimeContainersAsync(Func<int, bool> check)
    {
        var deadline = DateTime.UtcNow + Patience;
        string[]? containers = null;
        InvalidOperationException? unreachable = null;
        do
        {
            try
            {
                containers = await RuntimeContainersAsync();
                unreachable = null;
                if (check(containers.Length))
                {
                    break;
                }
            }
            catch (InvalidOperationException e)
            {
                unreachable = e;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        return unreachable is null ? containers! : throw unreachable;
    }

    /// <summary><c>ctr -n k8s.io containers ls -q</c> against the agent's containerd: sandboxes and containers alike.</summary>
    public async Task<string[]> RuntimeContainersAsync()
    {
        var result = await Run.Async("ctr", ["--address", ContainerdSocket, "-n", "k8s.io", "containers", "ls", "-q"]);
        return result.ExitCode == 0
            ? result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : throw new InvalidOperationException("ctr failed: " + result);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (ProcessesNaming(Path.Combine(DataDir, "containerd")).Any())
        {
            await RemovePodsLeftRunningAsync();
        }

        // Whatever still names the data dir (a containerd of a killed agent, a stuck shim): by PID.
        foreach (var pid in ProcessesNaming(DataDir))
        {
            try
            {
                using var leftover = System.Diagnostics.Process.GetProcessById(pid);
                leftover.Kill(entireProcessTree: true);
                leftover.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
                // Gone meanwhile.
            }
        }

        await Run.Async("ip", ["link", "del", Bridge]);
        RemoveEmptyPodCgroupParents();
        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(DataDir, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
        {
            await Run.Async("umount", ["-l", mount]);
        }
    }

    /// <summary>
    /// The agent keeps its QoS parents (<c>/edge/besteffort</c>, <c>/edge/burstable</c>) like kubelet's
    /// kubepods; a test removes them when no other agent's pod still lives below (rmdir refuses then).
    /// </summary>
    private static void RemoveEmptyPodCgroupParents()
    {
        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            foreach (var dir in new[] { "edge/besteffort", "edge/burstable", "edge" }.Select(d => Path.Combine(hierarchy, d)))
            {
                try
                {
                    if (Directory.Exists(dir))
                    {
                        Directory.Delete(dir);
                    }
                }
                catch (IOException)
                {
                    // In use by a pod of another test's agent: that test removes it.
                }
            }
        }
    }

    /// <summary>
    /// Pods outlive the agent by design. A test must not leave them: start the agent's containerd
    /// again (its own config file) and stop and remove every sandbox through CRI, which also runs
    /// the CNI teardown (addresses, iptables rules), then stop that containerd.
    /// </summary>
    private async Task RemovePodsLeftRunningAsync()
    {
        var config = Path.Combine(DataDir, "containerd", "config.toml");
        if (!File.Exists(config))
        {
            return;
        }

        await using var containerd = StreamingProcess.Start("/usr/bin/containerd", ["--config", config], new Dictionary<string, string?>());
        using var cri = new Edge.Agent.Runtime.Cri.CriClient(ContainerdSocket);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                foreach (var sandbox in await cri.ListPodSandboxesAsync(new Dictionary<string, string>(), CancellationToken.None))
                {
                    await cri.StopPodSandboxAsync(sandbox.Id, CancellationToken.None);
                    await cri.RemovePodSandboxAsync(sandbox.Id, CancellationToken.None);
                    if (sandbox.Labels.TryGetValue(Edge.Agent.Runtime.Pods.CriLabels.PodUid, out var uid))
                    {
                        await Edge.Agent.Runtime.Pods.PodCgroups.RemoveAsync("/sys/fs/cgroup", "/edge", uid, CancellationToken.None);
                    }
                }

                return;
            }
            catch (Edge.Agent.Runtime.Cri.CriException)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>PIDs whose command line names <paramref name="path"/> (containerd shims carry their socket path).</summary>
    private static IEnumerable<int> ProcessesNaming(string path)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(path, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }
}
