using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Agent.Identity;

namespace Edge.Agent.Join;

/// <summary>
/// The agent's side of the server's join service. Only <see cref="FetchAuthorityAsync"/> talks to
/// a server it does not trust yet, and it sends nothing; every other call trusts exactly the
/// cluster CA (never the system store) and checks the server's name.
/// </summary>
public sealed class JoinClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A CA certificate is about a kilobyte; more is not one.</summary>
    private const int MaxAuthorityBytes = 64 * 1024;

    private readonly Uri _server;

    public JoinClient(Uri server) => _server = server;

    /// <summary><c>GET /cacerts</c> without trusting anything: the caller checks the bytes against the token's hash.</summary>
    public async Task<byte[]> FetchAuthorityAsync(CancellationToken cancellationToken)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler) { BaseAddress = _server, Timeout = Timeout, MaxResponseContentBufferSize = MaxAuthorityBytes };
        using var response = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "/cacerts"), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new AgentException($"{_server} answered GET /cacerts with {(int)response.StatusCode}: is it an Edge server?");
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary><c>POST /v1-edge/join</c> with the token's <c>id.secret</c>.</summary>
    public async Task<JoinResponse> JoinAsync(X509Certificate2 authority, JoinToken token, JoinRequest request, CancellationToken cancellationToken)
    {
        using var http = Trusting(authority, clientCertificate: null);
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1-edge/join")
        {
            Content = JsonContent(request, AgentJsonContext.Default.JoinRequest),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{token.Id}.{token.Secret}");
        using var response = await SendAsync(http, message, cancellationToken);
        return await ReadAnswerAsync(response, "join", cancellationToken);
    }

    /// <summary><c>POST /v1-edge/renew</c>, authenticated by the current certificate.</summary>
    public async Task<JoinResponse> RenewAsync(X509Certificate2 authority, X509Certificate2 current, RenewRequest request, CancellationToken cancellationToken)
    {
        using var http = Trusting(authority, current);
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1-edge/renew")
        {
            Content = JsonContent(request, AgentJsonContext.Default.RenewRequest),
        };
        using var response = await SendAsync(http, message, cancellationToken);
        return await ReadAnswerAsync(response, "renew", cancellationToken);
    }

    private HttpClient Trusting(X509Certificate2 authority, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
            && certificate is X509Certificate2 serving
            && NodeIdentity.ChainsTo(serving, authority, usageOid: "1.3.6.1.5.5.7.3.1");
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler) { BaseAddress = _server, Timeout = Timeout };
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException or IOException { InnerException: AuthenticationException })
        {
            throw new AgentException($"{_server} is not the server of this cluster: its certificate is not signed by the cluster CA for this address ({Innermost(e)})", e);
        }
        catch (HttpRequestException e)
        {
            throw new AgentException($"cannot reach {_server}: {Innermost(e)}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentException($"{_server} did not answer within {Timeout.TotalSeconds:0} s", e);
        }
    }

    private async Task<JoinResponse> ReadAnswerAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            try
            {
                return JsonSerializer.Deserialize(body, AgentJsonContext.Default.JoinResponse) is { Certificate: not null, Ca: not null, Config: not null } answer
                    ? answer
                    : throw new AgentException($"{_server} answered the {what} without a certificate");
            }
            catch (JsonException e)
            {
                throw new AgentException($"{_server} answered the {what} with something that is not JSON: {e.Message}", e);
            }
        }

        var reason = StatusMessage(body) ?? response.ReasonPhrase ?? "no reason given";
        throw new AgentException(response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when what == "join" => $"the server refused the token (revoked, expired or mistyped): {reason}",
            HttpStatusCode.Unauthorized => $"the server refused this node's certificate: {reason}",
            _ => $"the server refused the {what} ({(int)response.StatusCode}): {reason}",
        });
    }

    private static string? StatusMessage(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, AgentJsonContext.Default.StatusBody)?.Message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ByteArrayContent JsonContent<T>(T value, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }
}
