using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.ApiServer;
using Edge.Server.Pki;
using Edge.Server.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Join;

/// <summary>
/// How a device becomes a node, in front of the API's own dispatcher:
/// <list type="bullet">
/// <item><c>GET /cacerts</c>, anonymous: the CA PEM, byte for byte what a join token hashes.</item>
/// <item><c>POST /v1-edge/join</c> with <c>Authorization: Bearer &lt;id&gt;.&lt;secret&gt;</c>: signs the
/// node's CSR and registers its Node (<see cref="NodeRegistry"/>).</item>
/// <item><c>POST /v1-edge/renew</c>, authenticated by the node's current certificate (mutual TLS;
/// the TLS layer already required it to chain to the cluster CA): signs a CSR for a new key.</item>
/// </list>
/// Failures are meta/v1 Status JSON, as the API's.
/// </summary>
public sealed class JoinService(
    string authorityPem, JoinTokenAuthenticator tokens, NodeCertificateSigner signer, NodeRegistry nodes, NodeConfig clusterConfig, ILogger logger)
{
    public const string CaCertsPath = "/cacerts";
    public const string JoinPath = "/v1-edge/join";
    public const string RenewPath = "/v1-edge/renew";

    /// <summary>A CSR and a few labels fit easily; anything bigger is not a join.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>How long a join waits for the node IPAM controller to give the new Node its pod CIDR.</summary>
    private static readonly TimeSpan PodCidrPatience = TimeSpan.FromSeconds(5);

    private readonly byte[] _authorityPem = Encoding.ASCII.GetBytes(authorityPem);

    public static JoinService Create(
        ServerPaths paths, ClusterPki pki, string serverToken, IClusterClient client, TimeSpan nodeCertificateLifetime,
        NodeConfig clusterConfig, ILogger logger, TimeProvider time) =>
        new(pki.AuthorityPem,
            new JoinTokenAuthenticator(paths, serverToken, time),
            new NodeCertificateSigner(pki.Authority, nodeCertificateLifetime, time),
            new NodeRegistry(client, time),
            clusterConfig,
            logger);

    /// <summary>Middleware: answers the join paths, passes everything else on.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.Value;
        return path switch
        {
            CaCertsPath => GuardAsync(context, () => ServeCaCertsAsync(context)),
            JoinPath => GuardAsync(context, () => JoinAsync(context)),
            RenewPath => GuardAsync(context, () => RenewAsync(context)),
            _ => next(context),
        };
    }

    private async Task ServeCaCertsAsync(HttpContext context)
    {
        RequireMethod(context, HttpMethods.Get);
        context.Response.ContentType = "application/x-pem-file";
        await context.Response.Body.WriteAsync(_authorityPem, context.RequestAborted);
    }

    private async Task JoinAsync(HttpContext context)
    {
        RequireMethod(context, HttpMethods.Post);
        var header = context.Request.Headers.Authorization.ToString();
        var tokenId = header.StartsWith("Bearer ", StringComparison.Ordinal) ? tokens.Authenticate(header[7..].Trim()) : null;
        if (tokenId is null)
        {
            throw NodeCertificateSigner.Unauthorized("invalid or expired token");
        }

        var request = await ReadAsync(context, JoinJsonContext.Default.JoinRequest);
        var name = request.NodeName ?? "";
        if (!IsNodeName(name))
        {
            throw ApiException.BadRequest($"nodeName '{name}' is not a valid node name (lower-case letters, digits, '-' and '.', at most 253)");
        }

        var key = NodeCertificateSigner.ValidateCsr(request.Csr, name);
        var taints = new List<JsonObject>();
        foreach (var text in request.Taints ?? [])
        {
            taints.Add(NodeRegistry.ParseTaint(text) ?? throw ApiException.BadRequest($"taint '{text}' is not key[=value]:NoSchedule|PreferNoSchedule|NoExecute"));
        }

        try
        {
            await nodes.RegisterAsync(name, NodeCertificateSigner.KeyHash(key), request.Labels ?? new Dictionary<string, string>(), taints, context.RequestAborted);
        }
        catch (ApiException e) when (e.Status.Code == 422)
        {
            // The Node the labels and taints describe is invalid: the joining device's mistake.
            throw ApiException.BadRequest(e.Status.Message ?? "invalid node");
        }

        using var certificate = signer.Issue(name, key);
        JoinLog.Joined(logger, name, tokenId, certificate.NotAfter.ToUniversalTime());
        await AnswerAsync(context, name, certificate);
    }

    private async Task RenewAsync(HttpContext context)
    {
        RequireMethod(context, HttpMethods.Post);
        var presented = context.Connection.ClientCertificate;
        var name = presented is null ? null : NodeCertificateSigner.NodeNameOf(presented);
        if (presented is null || name is null)
        {
            throw NodeCertificateSigner.Unauthorized("renewal needs the node's current client certificate (CN=system:node:<name>, O=system:nodes)");
        }

        var request = await ReadAsync(context, JoinJsonContext.Default.RenewRequest);
        var key = NodeCertificateSigner.ValidateCsr(request.Csr, name);
        await nodes.RotateKeyAsync(name, NodeCertificateSigner.KeyHash(presented.PublicKey), NodeCertificateSigner.KeyHash(key), context.RequestAborted);
        using var certificate = signer.Issue(name, key);
        JoinLog.Renewed(logger, name, certificate.NotAfter.ToUniversalTime());
        await AnswerAsync(context, name, certificate);
    }

    private async Task AnswerAsync(HttpContext context, string name, X509Certificate2 certificate)
    {
        var podCidr = await nodes.WaitForPodCidrAsync(name, PodCidrPatience, context.RequestAborted);
        var response = new JoinResponse(ClusterPki.PemOf(certificate), Encoding.ASCII.GetString(_authorityPem), clusterConfig with { PodCidr = podCidr });
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(response, JoinJsonContext.Default.JoinResponse), context.RequestAborted);
    }

    private async Task GuardAsync(HttpContext context, Func<Task> handle)
    {
        try
        {
            await handle();
        }
        catch (ApiException e)
        {
            JoinLog.Refused(logger, context.Request.Path.Value ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "?", e.Status.Code, e.Status.Message ?? "");
            await ApiRequestHandler.WriteStatusAsync(context, e.Status);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The device went away; nothing to answer.
        }
        catch (Exception e)
        {
            JoinLog.Failed(logger, context.Request.Path.Value ?? "", e);
            if (!context.Response.HasStarted)
            {
                await ApiRequestHandler.WriteStatusAsync(context, Status.Failure(500, "InternalError", "Internal error occurred: the join failed; see the server's log"));
            }
        }
    }

    private static void RequireMethod(HttpContext context, string method)
    {
        if (context.Request.Method != method)
        {
            throw new ApiException(Status.Failure(405, "MethodNotAllowed", $"{context.Request.Path} accepts {method} only"));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw ApiException.TooLarge($"a join request is at most {MaxBodyBytes} bytes");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw ApiException.TooLarge($"a join request is at most {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type)
                ?? throw ApiException.BadRequest("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    internal static bool IsNodeName(string value) =>
        value.Length is > 0 and <= 253
        && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]);
}
