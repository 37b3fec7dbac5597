using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Agent.Channel;
using Edge.Agent.Health;
using Edge.Agent.Identity;

namespace Edge.Agent.Run;

/// <summary>
/// HTTPS to the API server as <c>system:node:&lt;name&gt;</c>: presents the node certificate and
/// trusts only the cluster CA. Remembers the local address of its last connection, which is the
/// address the server reaches this node on (the Node's InternalIP).
/// </summary>
public sealed class NodeApiClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _presented;
    private readonly TimeProvider _time;
    private volatile string _localAddress = "";
    private volatile ServerClockSample? _serverClock;

    /// <param name="time">The local clock the server's <c>Date</c> headers are compared with.</param>
    public NodeApiClient(Uri server, NodeIdentity identity, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        };
        _presented = NodeTls.Configure(handler.SslOptions, identity);
        _http = new HttpClient(handler) { BaseAddress = server, Timeout = Timeout };
    }

    /// <summary>The thumbprint of the client certificate this client presents.</summary>
    public string PresentedThumbprint => _presented.Thumbprint;

    /// <summary>The local IP of the most recent connection to the server; empty before the first.</summary>
    public string LocalAddress => _localAddress;

    /// <summary>The last response's <c>Date</c> header against the local clock; null before the first, or when the server sends none.</summary>
    public ServerClockSample? ServerClock => _serverClock;

    public async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body, string contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var sent = _time.GetUtcNow();
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.Headers.Date is { } date)
        {
            _serverClock = new ServerClockSample(sent, _time.GetUtcNow(), date);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? parsed = null;
        if (text.Length > 0)
        {
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // A proxy's HTML error page: the status code still says what happened.
            }
        }

        return (response.StatusCode, parsed);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            if (socket.LocalEndPoint is IPEndPoint local)
            {
                var address = local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address;
                _localAddress = address.ToString();
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _presented.Dispose();
    }
}

/// <summary>The API answered with a status the agent cannot go on from.</summary>
public sealed class ApiCallException(string message) : Exception(message);
