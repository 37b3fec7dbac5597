using System.Diagnostics;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Containerd;
using Edge.Agent.Runtime.Cri;
using Edge.Agent.Runtime.Desired;
using Edge.Agent.Runtime.Images;
using Edge.Agent.Runtime.Pods;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.Agent.Runtime.Tests.Pods;

/// <summary>
/// One node's runtime for a test class: its own containerd (started by <see cref="ContainerdSupervisor"/>
/// as the agent does), the image mirror with busybox and pause, a bridge and pod CIDR of its own, and
/// a <see cref="PodManager"/> fed from memory. Disposal stops everything it started and removes the
/// bridge, cgroups and directories it made.
/// </summary>
public sealed class RuntimeFixture : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..6];
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _configMaps = new(StringComparer.Ordinal);
    private long _revision;
    private ImageMirror? _mirror;
    private ContainerdSupervisor? _containerd;
    private PodManager? _manager;
    private Edge.Agent.Runtime.Logs.ContainerLogRotator? _rotator;

    public string Dir { get; } = Directory.CreateTempSubdirectory("edge-rt-").FullName;

    public string Bridge => "edgt" + _id;

    public string PodCidr { get; } = $"10.{200 + Random.Shared.Next(50)}.{Random.Shared.Next(250)}.0/24";

    public string CgroupRoot => "/edge-test-" + _id;

    public InMemoryNode Node { get; } = new();

    /// <summary>The node's pressure as the eviction loop reads it; a test sets it and puts it back.</summary>
    public PressureSignal Pressure { get; set; } = PressureSignal.None;

    public CriClient Cri { get; private set; } = null!;

    public RuntimeOptions Options { get; private set; } = null!;

    public List<string> Log { get; } = [];

    public async Task InitializeAsync()
    {
        var data = Path.Combine(Dir, "data");
        var mirrorOptions = ImageMirrorOptions.ForDataDir(data);
        Directory.CreateDirectory(mirrorOptions.ImagesDir);
        TestImages.WriteBusybox(Path.Combine(mirrorOptions.ImagesDir, "busybox.tar"));
        PauseImage.Ensure(mirrorOptions.ImagesDir, File.ReadAllBytes(Artifacts.PauseProgram()), TestImages.HostArchitecture);
        _mirror = new ImageMirror(mirrorOptions, line => Write("mirror: " + line));
        await _mirror.StartAsync(CancellationToken.None);

        var paths = ContainerdPaths.Under(data);
        Directory.CreateDirectory(paths.RegistryConfigDir);
        _mirror.WriteHostsConfig(paths.RegistryConfigDir);
        var log = new ListLog(this);
        var confDir = Path.Combine(data, "cni", "net.d");
        _containerd = new ContainerdSupervisor(new ContainerdConfig(paths, PauseImage.Reference, "/usr/lib/cni", confDir, RestrictOomScoreAdj: true), "/usr/bin/containerd", log);
        await _containerd.StartAsync(CancellationToken.None);
        Cri = new CriClient(paths.Socket);

        Options = new RuntimeOptions("node-a", Path.Combine(data, "pods"), Path.Combine(Dir, "logs"), CgroupRoot)
        {
            BackoffInitial = TimeSpan.FromSeconds(1),
            BackoffMax = TimeSpan.FromSeconds(4),
            ContainerLogMaxSize = 16 * 1024,
            ContainerLogMaxFiles = 3,
            LogRotationInterval = TimeSpan.FromMilliseconds(500),
        };
        var context = new PodContext(Options, Cri, Node, Node, () => new NodeFacts("node-a", "127.0.0.1", 2, 4L << 30), log, TimeProvider.System, () => Pressure);
        _manager = new PodManager(context, Node, new CniNetworkConfigFactory(confDir, Bridge, Path.Combine(data, "cni", "networks")));
        Publish();
        _manager.Start();
        _rotator = new Edge.Agent.Runtime.Logs.ContainerLogRotator(Cri, Options, log, TimeProvider.System);
        _rotator.Start();
    }

    public void AddPod(JsonObject pod)
    {
        lock (_pods)
        {
            _pods[TestPods.Uid(pod)] = pod;
            Publish();
        }
    }

    public void RemovePod(string uid)
    {
        lock (_pods)
        {
            _pods.Remove(uid);
            Publish();
        }
    }

    public void SetConfigMap(string name, JsonObject data)
    {
        lock (_pods)
        {
            _configMaps[$"default/{name}"] = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" }, ["data"] = data };
            Publish();
        }
    }

    private void Publish()
    {
        _revision++;
        Node.Set(new NodeDesiredState(_revision, new Dictionary<string, JsonObject>(_pods), new Dictionary<string, JsonObject>(_configMaps), new Dictionary<string, JsonObject>(), PodCidr));
    }

    /// <summary>Sandboxes and containers the runtime still has for a pod.</summary>
    public async Task<(int Sandboxes, int Containers)> RuntimeObjectsAsync(string uid)
    {
        var selector = new Dictionary<string, string> { [CriLabels.PodUid] = uid };
        return ((await Cri.ListPodSandboxesAsync(selector, CancellationToken.None)).Count, (await Cri.ListContainersAsync(selector, CancellationToken.None)).Count);
    }

    public string Logs()
    {
        lock (Log)
        {
            return string.Join('\n', Log.TakeLast(80));
        }
    }

    private void Write(string line)
    {
        lock (Log)
        {
            Log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    public async Task DisposeAsync()
    {
        if (_manager is not null)
        {
            // Tear every pod down the way the agent would on a node that loses them all.
            lock (_pods)
            {
                _pods.Clear();
                Publish();
            }

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (_manager.RunningWorkers > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            await _manager.DisposeAsync();
        }

        if (_rotator is not null)
        {
            await _rotator.DisposeAsync();
        }

        Cri?.Dispose();
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync();
        }

        if (_mirror is not null)
        {
            await _mirror.DisposeAsync();
        }

        Run("ip", "link", "del", Bridge);
        foreach (var hierarchy in Directory.EnumerateDirectories("/sys/fs/cgroup"))
        {
            foreach (var dir in new[] { "besteffort", "burstable", "" }.Select(d => Path.Combine(hierarchy, CgroupRoot.TrimStart('/'), d)))
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
                    // Still in use: a test failure already says why.
                }
            }
        }

        // containerd's overlay mounts and netns are gone with it; anything left under the dir is plain files.
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit(10_000);
    }

    private sealed class ListLog(RuntimeFixture fixture) : IRuntimeLog
    {
        public void Info(string message) => fixture.Write("info: " + message);

        public void Warn(string message) => fixture.Write("warn: " + message);

        public void Error(string message) => fixture.Write("fail: " + message);
    }
}

/// <summary>Build outputs the tests need.</summary>
internal static class Artifacts
{
    /// <summary>The pause program ./build.sh native compiled for this machine.</summary>
    public static string PauseProgram()
    {
        var rid = TestImages.HostArchitecture == "amd64" ? "linux-x64" : "linux-arm64";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                var candidate = Path.Combine(dir.FullName, "artifacts", "native", rid, "pause");
                return File.Exists(candidate) ? candidate : throw new FileNotFoundException($"{candidate} is missing: run ./build.sh native {rid}");
            }
        }

        throw new InvalidOperationException("cannot find Edge.sln above " + AppContext.BaseDirectory);
    }
}
