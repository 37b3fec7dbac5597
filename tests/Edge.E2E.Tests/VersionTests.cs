using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests;

/// <summary>Both executables start on both architectures; arm64 runs under qemu user emulation.</summary>
public sealed class VersionTests
{
    public static TheoryData<string, string> Executables => new()
    {
        { "linux-x64", "edge-server" },
        { "linux-x64", "edge-agent" },
        { "linux-arm64", "edge-server" },
        { "linux-arm64", "edge-agent" },
    };

    [Theory]
    [MemberData(nameof(Executables))]
    public async Task Version_PrintsKubernetesAndEdgeVersion(string rid, string executable)
    {
        var binary = executable == "edge-server" ? Binaries.Server(rid) : Binaries.Agent(rid);
        var result = rid == "linux-arm64"
            ? await Run.Async("/usr/bin/qemu-aarch64-static", ["-L", "/usr/aarch64-linux-gnu", binary, "version"])
            : await Run.Async(binary, ["version"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"{executable} version v1.33.0+edge", result.Stdout);
        Assert.Contains(rid == "linux-arm64" ? "platform linux/arm64" : "platform linux/amd64", result.Stdout);
    }

    /// <summary>
    /// The arm64 server really runs (a Raspberry Pi server): data dir, certificates, store, API.
    /// This caught open(2) flags that differ between x64 and arm64 (O_DIRECTORY).
    /// </summary>
    [Fact]
    public async Task Arm64Server_UnderQemu_CreatesItsDataDir_AndServesKubectl()
    {
        using var temp = new TempDir();
        await using var server = await ServerProcess.StartAsync(temp, "linux-arm64", "arm64", null);
        var kubectl = new Kubectl("1.33", temp["kube-cache"]);
        var created = await kubectl.RunAsync(server.Kubeconfig, "create", "configmap", "from-a-pi", "--from-literal", "arch=arm64");
        Assert.True(created.ExitCode == 0, created.ToString());
        var read = await kubectl.RunAsync(server.Kubeconfig, "get", "configmap", "from-a-pi", "-o", "jsonpath={.data.arch}");
        Assert.Equal("arm64", read.Stdout);
        Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Arm64Binaries_AreAarch64Elf()
    {
        foreach (var binary in new[] { Binaries.Server("linux-arm64"), Binaries.Agent("linux-arm64") })
        {
            var header = new byte[20];
            await using (var file = File.OpenRead(binary))
            {
                await file.ReadExactlyAsync(header);
            }

            Assert.Equal(0xB7, header[18]); // e_machine EM_AARCH64
        }
    }
}
