using Edge.Agent.Logs;
using Edge.NodeChannel.V1;

namespace Edge.Agent.Tests.Logs;

public sealed class NodeLogSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-nodelogs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LogRequest Request(bool previous = false) => new()
    {
        Pod = new ObjectRef { Namespace = "default", Name = "web", Uid = "u1" },
        Container = "app",
        Previous = previous,
    };

    private void Attempts(params int[] attempts)
    {
        var dir = Path.Combine(_dir, "default_web_u1", "app");
        Directory.CreateDirectory(dir);
        foreach (var attempt in attempts)
        {
            File.WriteAllText(Path.Combine(dir, $"{attempt}.log"), "");
        }
    }

    [Fact]
    public async Task Open_CurrentAndPrevious_AreTheNewestAttemptAndTheOneBefore()
    {
        Attempts(0, 1, 2);
        var source = new NodeLogSource(_dir, () => null);

        Assert.EndsWith("/default_web_u1/app/2.log", (await source.OpenAsync(Request(), default)).Path);
        Assert.EndsWith("/default_web_u1/app/1.log", (await source.OpenAsync(Request(previous: true), default)).Path);
    }

    [Fact]
    public async Task Open_NoFile_UpstreamsMessages()
    {
        Attempts(0);
        var source = new NodeLogSource(_dir, () => null);

        var previous = await Assert.ThrowsAsync<LogUnavailableException>(() => source.OpenAsync(Request(previous: true), default));
        Assert.Equal((400, "previous terminated container \"app\" in pod \"web\" not found"), (previous.Code, previous.Message));

        var other = Request();
        other.Pod.Uid = "u2";
        var waiting = await Assert.ThrowsAsync<LogUnavailableException>(() => source.OpenAsync(other, default));
        Assert.Equal((400, "container \"app\" in pod \"web\" is waiting to start - no logs yet"), (waiting.Code, waiting.Message));
    }
}
