using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Agent.Runtime.Images;

/// <summary>
/// A minimal HTTP/1.1 server for the registry routes, on loopback only (containerd on the same host is its
/// one client). Keep-alive, many connections at once, GET and HEAD without bodies; anything it does not
/// understand gets a 4xx and the connection closes. No ASP.NET: the agent stays small.
/// </summary>
internal sealed class RegistryServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxConnections = 256;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly ICatalogSource _catalogs;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;

    public RegistryServer(ICatalogSource catalogs, Action<string> log)
    {
        _catalogs = catalogs;
        _log = log;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Start(int port)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(128);
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors and the like: keep serving the connections we have, try again shortly.
                _log($"image mirror: accept failed: {e.Message}");
                await Task.Delay(100);
                continue;
            }

            if (_connections.Count >= MaxConnections)
            {
                socket.Dispose();
                continue;
            }

            // Registered before it runs, so its own removal at the end cannot come first and leave it listed.
            _connections[socket] = Task.CompletedTask;
            _connections.TryUpdate(socket, ServeAsync(socket), Task.CompletedTask);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        try
        {
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var buffer = new byte[MaxHeadBytes];
            var filled = 0;
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                idle.CancelAfter(IdleTimeout);
                int headEnd;
                while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (filled == buffer.Length)
                    {
                        await WriteAsync(stream, "GET", RegistryResponse.Error(431, "UNSUPPORTED", "request head too large", ""), close: true);
                        return;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(filled), idle.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                }

                var head = Encoding.Latin1.GetString(buffer, 0, headEnd);
                var consumed = headEnd + 4;
                Array.Copy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;

                if (!TryParseHead(head, out var method, out var target, out var keepAlive))
                {
                    await WriteAsync(stream, "GET", RegistryResponse.Error(400, "UNSUPPORTED", "malformed request", ""), close: true);
                    return;
                }

                RegistryResponse response;
                try
                {
                    response = RegistryRoutes.Handle(method, target, _catalogs);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log($"image mirror: {method} {target} failed: {e.Message}");
                    await WriteAsync(stream, method, RegistryResponse.Error(500, "UNKNOWN", "internal error", ""), close: true);
                    return;
                }

                await WriteAsync(stream, method, response, close: !keepAlive);
                if (!keepAlive)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, idled out, or the server is stopping: nothing to answer.
        }
        finally
        {
            _connections.TryRemove(socket, out _);
        }
    }

    /// <summary>
    /// Request line and headers. Requests with a body (there are none among GET and HEAD) are refused rather
    /// than skipped: after one, the connection's framing could not be trusted.
    /// </summary>
    private static bool TryParseHead(string head, out string method, out string target, out bool keepAlive)
    {
        method = target = "";
        keepAlive = false;
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiLetterUpper)
            || !parts[1].StartsWith('/') || parts[1].Any(c => c <= ' ' || c >= 0x7F)
            || parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return false;
        }

        keepAlive = parts[2] == "HTTP/1.1";
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                keepAlive = value.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
                    || (keepAlive && !value.Equals("close", StringComparison.OrdinalIgnoreCase));
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && value != "0"))
            {
                return false;
            }
        }

        method = parts[0];
        target = parts[1];
        return true;
    }

    private async Task WriteAsync(NetworkStream stream, string method, RegistryResponse response, bool close)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(RegistryResponse.Reason(response.Status)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(response.Body.Length).Append("\r\n")
            .Append("Docker-Distribution-API-Version: registry/2.0\r\n");
        if (response.Digest is not null)
        {
            head.Append("Docker-Content-Digest: ").Append(response.Digest).Append("\r\n");
        }

        head.Append(close ? "Connection: close\r\n" : "").Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
        if (method != "HEAD")
        {
            await response.Body.CopyToAsync(stream, _stop.Token);
        }

        await stream.FlushAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        foreach (var socket in _connections.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_connections.Values);
        _stop.Dispose();
    }
}
