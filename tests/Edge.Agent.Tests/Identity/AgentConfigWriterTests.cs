using Edge.Agent.Cli;
using Edge.Agent.Identity;
using Edge.Agent.Join;
using Edge.Cli;

namespace Edge.Agent.Tests.Identity;

public sealed class AgentConfigWriterTests
{
    [Fact]
    public void Render_ReadsBackAsTheSameOptionValues()
    {
        var settings = new AgentSettings(
            new Uri("https://10.0.0.1:6443"), "pi-1", "/var/lib/edge/agent",
            ["zone=barn", "edge.io/autonomy=true"], ["dedicated=edge:NoSchedule"],
            new NodeConfig("10.42.0.0/16", "10.43.0.0/16", "10.43.0.10", "10.42.3.0/24"));

        var config = ConfigFile.Parse("agent.yaml", AgentConfigWriter.Render(settings), AgentCommands.ConfigSchema);

        Assert.Equal(["https://10.0.0.1:6443"], config.Get("server"));
        Assert.Equal(["pi-1"], config.Get("node-name"));
        Assert.Equal(["/var/lib/edge/agent"], config.Get("data-dir"));
        Assert.Equal(["zone=barn", "edge.io/autonomy=true"], config.Get("node-label"));
        Assert.Equal(["dedicated=edge:NoSchedule"], config.Get("node-taint"));
        Assert.Equal(["10.42.0.0/16"], config.Get("cluster-cidr"));
        Assert.Equal(["10.43.0.0/16"], config.Get("service-cidr"));
        Assert.Equal(["10.43.0.10"], config.Get("cluster-dns"));
        Assert.Equal(["10.42.3.0/24"], config.Get("pod-cidr"));
    }

    [Fact]
    public void Render_NoLabelsAndNoPodCidrYet_StillReadable()
    {
        var settings = new AgentSettings(new Uri("https://edge:6443/"), "n", "/d", [], [], new NodeConfig("a", "b", "c", ""));

        var config = ConfigFile.Parse("agent.yaml", AgentConfigWriter.Render(settings), AgentCommands.ConfigSchema);

        Assert.Empty(config.Get("node-label")!);
        Assert.Equal([""], config.Get("pod-cidr"));
        Assert.Equal(["https://edge:6443"], config.Get("server"));
    }

    [Fact]
    public void CheckWritable_DevNull_IsRefused() =>
        Assert.Throws<AgentException>(() => AgentConfigWriter.CheckWritable("/dev/null"));
}
