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
