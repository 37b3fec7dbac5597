using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Tests.Pods;

/// <summary>Pods on a real containerd + runc + CNI, driven through the runtime's desired-state feed.</summary>
public sealed class PodLifecycleTests(RuntimeFixture node) : IClassFixture<RuntimeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task HttpdPod_RunsWithAnIp_AnswersHttp_AndLeavesNothingWhenDeleted()
    {
        var pod = TestPods.Pod("web", TestPods.Container("httpd", "sh", "-c", "echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www"));
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);

        var running = await node.Node.WaitForStatusAsync(uid, s => TestPods.Phase(s) == "Running" && s["podIP"] is not null
            && s["conditions"]!.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True"), Patience, node.Logs);
        var ip = running["podIP"]!.GetValue<string>();
        Assert.True(System.Net.IPNetwork.Parse(node.PodCidr).Contains(System.Net.IPAddress.Parse(ip)), $"{ip} is not in {node.PodCidr}");
        var container = TestPods.ContainerStatus(running, "httpd")!;
        Assert.StartsWith("containerd://", container["containerID"]!.GetValue<string>());
        Assert.Equal(0, container["restartCount"]!.GetValue<int>());
        Assert.True(container["ready"]!.GetValue<bool>());

        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("hello-from-pod\n", await RetryAsync(() => http.GetStringAsync($"http://{ip}:8080/")));

        node.AddPod(TestPods.Terminating(pod, 5));
        await WaitUntilAsync(() => node.Node.Confirmed.ContainsKey(uid), "deletion confirmed");
        Assert.Equal((0, 0), await node.RuntimeObjectsAsync(uid));
        Assert.False(Directory.Exists(Path.Combine(node.Options.PodsDir, uid)), "pod dir left behind");
        Assert.Empty(Directory.EnumerateDirectories("/sys/fs/cgroup/memory" + node.CgroupRoot, "pod" + uid, SearchOption.AllDirectories).ToArray() is var left && Directory.Exists("/sys/fs/cgroup/memory" + node.CgroupRoot) ? left : []);
        node.RemovePod(uid);
    }

    [Fact]
    public async Task CrashingContainer_RestartsWithBackoff_ShowsCrashLoopBackOff()
    {
        var pod = TestPods.Pod("crash", TestPods.Container("c", "sh", "-c", "echo dying; exit 3"));
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);

        var status = await node.Node.WaitForStatusAsync(uid, s =>
            TestPods.ContainerStatus(s, "c")?["restartCount"]?.GetValue<int>() >= 2 && TestPods.WaitingReason(s, "c") == "CrashLoopBackOff", Patience, node.Logs);
        var last = TestPods.ContainerStatus(status, "c")!["lastState"]!["terminated"]!;
        Assert.Equal(3, last["exitCode"]!.GetValue<int>());
        Assert.Equal("Error", last["reason"]!.GetValue<string>());
        Assert.Contains(node.Node.Events, e => e.Pod == "crash" && e.Reason == "BackOff");
        node.RemovePod(uid);
        await WaitUntilAsync(async () => await node.RuntimeObjectsAsync(uid) == (0, 0), "pod removed from the runtime");
    }

    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer()
    {
        var container = TestPods.Container("live", "sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; exec sleep 600");
        container["livenessProbe"] = new JsonObject
        {
            ["exec"] = new JsonObject { ["command"] = new JsonArray("cat", "/tmp/healthy") },
            ["periodSeconds"] = 1,
            ["failureThreshold"] = 2,
        };
        var pod = TestPods.Pod("liveness", container, spec => spec["terminationGracePeriodSeconds"] = 1);
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);

        await node.Node.WaitForStatusAsync(uid, s => TestPods.ContainerStatus(s, "live")?["restartCount"]?.GetValue<int>() >= 1, Patience, node.Logs);
        Assert.Contains(node.Node.Events, e => e.Pod == "liveness" && e.Reason == "Unhealthy" && e.Message.StartsWith("Liveness probe failed", StringComparison.Ordinal));
        Assert.Contains(node.Node.Events, e => e.Pod == "liveness" && e.Reason == "Killing");
        node.RemovePod(uid);
    }

    [Fact]
    public async Task ReadinessProbe_GatesTheReadyCondition()
    {
        var container = TestPods.Container("r", "sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 600");
        container["readinessProbe"] = new JsonObject
        {
            ["exec"] = new JsonObject { ["command"] = new JsonArray("cat", "/tmp/ready") },
            ["periodSeconds"] = 1,
        };
        var pod = TestPods.Pod("readiness", container);
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);

        var notReady = await node.Node.WaitForStatusAsync(uid, s => TestPods.Phase(s) == "Running", Patience, node.Logs);
        Assert.False(TestPods.ContainerStatus(notReady, "r")!["ready"]!.GetValue<bool>());
        await node.Node.WaitForStatusAsync(uid, s => TestPods.ContainerStatus(s, "r")?["ready"]?.GetValue<bool>() == true
            && s["conditions"]!.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True"), Patience, node.Logs);
        node.RemovePod(uid);
    }

    [Fact]
    public async Task MemoryHog_IsOomKilled()
    {
        var container = TestPods.Container("hog", "sh", "-c", "a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done");
        container["resources"] = new JsonObject { ["limits"] = new JsonObject { ["memory"] = "16Mi" } };
        var pod = TestPods.Pod("oom", container, spec => spec["restartPolicy"] = "Never");
        pod["status"]!["qosClass"] = "Burstable";
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);

        var status = await node.Node.WaitForStatusAsync(uid, s => TestPods.Phase(s) == "Failed", Patience, node.Logs);
        var terminated = TestPods.ContainerStatus(status, "hog")!["state"]!["terminated"]!;
        Assert.Equal("OOMKilled", terminated["reason"]!.GetValue<string>());
        Assert.Equal(137, terminated["exitCode"]!.GetValue<int>());
        node.RemovePod(uid);
    }

    [Fact]
    public async Task BadInput_UnknownImage_MissingConfigMap_InvalidCommand_GiveUpstreamReasons()
    {
        var unknown = TestPods.Pod("noimage", TestPods.Container("c") is var c1 ? Set(c1, "image", "edge.invalid/nothing:1") : null!);
        var missing = TestPods.Pod("nocm", Set(TestPods.Container("c", "sleep", "600"), "envFrom", new JsonArray(new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = "absent" } })));
        var invalid = TestPods.Pod("nocmd", TestPods.Container("c", "/no/such/program"));
        foreach (var pod in new[] { unknown, missing, invalid })
        {
            node.AddPod(pod);
        }

        await node.Node.WaitForStatusAsync(TestPods.Uid(unknown), s => TestPods.WaitingReason(s, "c") is "ErrImagePull" or "ImagePullBackOff", Patience, node.Logs);
        var noConfig = await node.Node.WaitForStatusAsync(TestPods.Uid(missing), s => TestPods.WaitingReason(s, "c") == "CreateContainerConfigError", Patience, node.Logs);
        Assert.Equal("configmap \"absent\" not found", TestPods.ContainerStatus(noConfig, "c")!["state"]!["waiting"]!["message"]!.GetValue<string>());
        var noCommand = await node.Node.WaitForStatusAsync(TestPods.Uid(invalid), s =>
            TestPods.ContainerStatus(s, "c")?["lastState"]?["terminated"]?["reason"]?.GetValue<string>() == "StartError"
            || TestPods.ContainerStatus(s, "c")?["state"]?["terminated"]?["reason"]?.GetValue<string>() == "StartError", Patience, node.Logs);
        Assert.Contains("no/such/program", noCommand.ToJsonString());
        Assert.Contains(node.Node.Events, e => e.Pod == "noimage" && e.Reason == "Failed");
        Assert.Contains(node.Node.Events, e => e.Pod == "nocm" && e.Reason == "Failed" && e.Message.Contains("absent", StringComparison.Ordinal));

        // Once the ConfigMap exists the same pod starts.
        node.SetConfigMap("absent", new JsonObject { ["K"] = "v" });
        await node.Node.WaitForStatusAsync(TestPods.Uid(missing), s => TestPods.Phase(s) == "Running", Patience, node.Logs);
        foreach (var pod in new[] { unknown, missing, invalid })
        {
            node.RemovePod(TestPods.Uid(pod));
        }
    }

    [Fact]
    public async Task ChattyContainer_LogIsRotated_AndOnlyMaxFilesKept()
    {
        var pod = TestPods.Pod("chatty", TestPods.Container("c", "sh", "-c", "while true; do echo 0123456789012345678901234567890123456789012345678901234567890123456789; sleep 0.005; done"));
        var uid = TestPods.Uid(pod);
        node.AddPod(pod);
        await node.Node.WaitForStatusAsync(uid, s => TestPods.Phase(s) == "Running", Patience, node.Logs);
        var dir = Path.Combine(node.Options.PodLogsDir, $"default_chatty_{uid}", "c");

        // Several rotations happen while it writes; never more than 3 files at a time.
        var deadline = DateTime.UtcNow + Patience;
        var rotations = new HashSet<string>();
        while (rotations.Count < 3 && DateTime.UtcNow < deadline)
        {
            var files = Directory.EnumerateFiles(dir).ToArray();
            Assert.True(files.Length <= 3, "files: " + string.Join(", ", files.Select(Path.GetFileName)));
            rotations.UnionWith(files.Where(f => !f.EndsWith(".log", StringComparison.Ordinal)));
            await Task.Delay(200);
        }

        Assert.True(rotations.Count >= 3, $"only {rotations.Count} rotations seen; files now: {string.Join(", ", Directory.EnumerateFiles(dir).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length} B"))}\n{node.Logs()}");
        Assert.True(File.Exists(Path.Combine(dir, "0.log")), "the current log file is missing");
        Assert.Contains("0123456789", await File.ReadAllTextAsync(Path.Combine(dir, "0.log")));
        node.RemovePod(uid);
    }

    [Fact]
    public async Task MemoryPressure_EvictsBestEffortFirst_GuaranteedKeepsRunning()
    {
        var guaranteedContainer = TestPods.Container("c", "sleep", "600");
        guaranteedContainer["resources"] = new JsonObject
        {
            ["limits"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "32Mi" },
            ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "32Mi" },
        };
        var guaranteed = TestPods.Pod("keeper", guaranteedContainer);
        guaranteed["status"]!["qosClass"] = "Guaranteed";
        var bestEffort = TestPods.Pod("first-out", TestPods.Container("c", "sleep", "600"));
        node.AddPod(guaranteed);
        node.AddPod(bestEffort);
        await node.Node.WaitForStatusAsync(TestPods.Uid(guaranteed), s => TestPods.Phase(s) == "Running", Patience, node.Logs);
        await node.Node.WaitForStatusAsync(TestPods.Uid(bestEffort), s => TestPods.Phase(s) == "Running", Patience, node.Logs);

        node.Pressure = new Edge.Agent.Runtime.Pods.PressureSignal(Memory: true, Disk: false);
        try
        {
            var evicted = await node.Node.WaitForStatusAsync(TestPods.Uid(bestEffort), s => TestPods.Phase(s) == "Failed", Patience, node.Logs);
            Assert.Equal("Evicted", evicted["reason"]!.GetValue<string>());
            Assert.StartsWith("The node was low on resource: memory.", evicted["message"]!.GetValue<string>());
            Assert.Contains(node.Node.Events, e => e.Pod == "first-out" && e.Reason == "Evicted");
            Assert.Equal("Running", TestPods.Phase(node.Node.Statuses[TestPods.Uid(guaranteed)]));
        }
        finally
        {
            node.Pressure = Edge.Agent.Runtime.Pods.PressureSignal.None;
        }

        // No more evictions without pressure: the Guaranteed pod stays.
        await Task.Delay(TimeSpan.FromSeconds(12));
        Assert.Equal("Running", TestPods.Phase(node.Node.Statuses[TestPods.Uid(guaranteed)]));
        node.RemovePod(TestPods.Uid(guaranteed));
        node.RemovePod(TestPods.Uid(bestEffort));
    }

    private static JsonObject Set(JsonObject o, string key, JsonNode value)
    {
        o[key] = value;
        return o;
    }

    private static async Task<string> RetryAsync(Func<Task<string>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, string what) => await WaitUntilAsync(() => Task.FromResult(condition()), what);

    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{what}: not within {Patience.TotalSeconds} s\n{node.Logs()}");
    }
}
