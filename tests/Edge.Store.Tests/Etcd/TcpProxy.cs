using System.Net;
using System.Net.Sockets;

namespace Edge.Store.Tests.Etcd;

/// <summary>
/// A loopback TCP forwarder to a target port; disposing it resets every connection through it,
/// which to a client looks like a member that died.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _sockets = [];
    private readonly int _targetPort;
    private readonly Task _accepting;

    private TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public static TcpProxy Start(string targetEndpoint) => new(new Uri(targetEndpoint).Port);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                // Linger 0: close with RST, as a crashed peer's kernel would.
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }
        }

        await _accepting;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync();
                var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await target.ConnectAsync(IPAddress.Loopback, _targetPort);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(target);
                }

                _ = PumpAsync(client, target);
                _ = PumpAsync(target, client);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // One side is gone; disposing the proxy closes the other.
        }
    }
}
