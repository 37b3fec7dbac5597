using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Agent;

public sealed class AgentCliTests
{
    private static readonly string GoodToken = "E10" + new string('a', 64) + "::server.secret";

    [Fact]
    public async Task Join_MalformedToken_RefusedWithReason()
    {
        var result = await Run.Async(Binaries.Agent(), ["join", "https://127.0.0.1:6443", "--token", "K10abc::server:x"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("edge-agent: --token: not an Edge join token (it starts with E10)", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Join_WithoutServerOrToken_SaysWhatIsMissing()
    {
        var noServer = await Run.Async(Binaries.Agent(), ["join", "--token", GoodToken]);
        var noToken = await Run.Async(Binaries.Agent(), ["join", "https://127.0.0.1:6443"]);
        var plainHttp = await Run.Async(Binaries.Agent(), ["join", "http://127.0.0.1:6443", "--token", GoodToken]);

        Assert.Equal(2, noServer.ExitCode);
        Assert.Contains("needs SERVER-URL", noServer.Stderr);
        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("join needs --token", noToken.Stderr);
        Assert.Equal(2, plainHttp.ExitCode);
        Assert.Contains("is not an https:// server URL", plainHttp.Stderr);
    }

    [Fact]
    public async Task Run_WithoutAJoinedConfig_SaysWhichFileIsMissing()
    {
        using var temp = new TempDir();
        var result = await Run.Async(Binaries.Agent(), ["run", "--config", temp["none.yaml"]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot read config file", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Run_ImageGcThresholds_OutOfRangeOrCrossed_Refused()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp["agent.yaml"], "# nothing joined yet\n");
        string[] common = ["run", "--config", temp["agent.yaml"], "--server", "https://127.0.0.1:1", "--data-dir", temp["data"]];
        var crossed = await Run.Async(Binaries.Agent(), [.. common, "--image-gc-high-threshold", "70", "--image-gc-low-threshold", "75"]);
        var notPercent = await Run.Async(Binaries.Agent(), [.. common, "--image-gc-high-threshold", "120"]);

        Assert.Equal(2, crossed.ExitCode);
        Assert.Contains("--image-gc-low-threshold 75 is above --image-gc-high-threshold 70", Assert.Single(crossed.ErrorLines));
        Assert.Equal(2, notPercent.ExitCode);
        Assert.Contains("image-gc-high-threshold", Assert.Single(notPercent.ErrorLines));
        Assert.False(Directory.Exists(temp["data"]), "nothing is written before the flags are checked");
    }

    [Fact]
    public async Task Help_ListsCommands()
    {
        var result = await Run.Async(Binaries.Agent(), ["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("join", result.Stdout);
        Assert.Contains("run", result.Stdout);
    }
}
