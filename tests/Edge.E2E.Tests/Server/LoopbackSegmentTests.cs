using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

/// <summary>
/// Connections over loopback use segments well below a client's receive window. With loopback's
/// 64 KiB segments, a burst of watch events to a co-located HTTP/2 client stalled for TCP's
/// ~200 ms window probe whenever the client's window fell below one segment (see
/// ServerHost.MaxSegmentSize); the fan-out benchmark measured it as 100–300 ms deliveries.
/// </summary>
public sealed partial class LoopbackSegmentTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AcceptedLoopbackConnection_SendsSegmentsOfAtMost16KiB()
    {
        await using var server = await ServerProcess.StartAsync(_temp);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;

        // The server's side of this one connection, as the kernel sees it: "mss:N" is the
        // segment size it sends with.
        var ss = await Run.Async("ss", ["-tniH", "state", "established", "src", $"127.0.0.1:{server.Port}", "dst", $"127.0.0.1:{clientPort}"]);
        Assert.True(ss.ExitCode == 0, ss.ToString());
        var mss = MssField().Match(ss.Stdout);
        Assert.True(mss.Success, $"no mss in: {ss}");
        Assert.InRange(int.Parse(mss.Groups[1].Value), 536, 16 * 1024);
    }

    [GeneratedRegex(@"\bmss:(\d+)")]
    private static partial Regex MssField();
}
