using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edge.Api.Meta;
using Edge.ApiServer;
using Edge.Server.Pki;
using Edge.Store;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Encryption;

/// <summary>
/// <c>GET /v1-edge/secrets-encryption</c> (status) and <c>POST …/rotate-keys</c>: how the
/// <c>secrets-encrypt</c> commands reach the running server, which holds the store. Only a client
/// certificate of the cluster CA in group <c>system:masters</c> may use them; this sits outside
/// the Kubernetes API, so it checks that itself.
/// </summary>
public sealed class SecretsEncryptionEndpoint(SecretsEncryption encryption, X509Certificate2 authority)
{
    public const string StatusPath = "/v1-edge/secrets-encryption";
    public const string RotateKeysPath = "/v1-edge/secrets-encryption/rotate-keys";

    private const string MastersGroup = "system:masters";
    private const string OrganizationOid = "2.5.4.10";

    /// <summary>Middleware: serves its two paths, passes everything else on.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next) => context.Request.Path.Value switch
    {
        StatusPath => ServeAsync(context, HttpMethods.Get, encryption.StatusAsync),
        RotateKeysPath => ServeAsync(context, HttpMethods.Post, encryption.RotateKeysAsync),
        _ => next(context),
    };

    private async Task ServeAsync(HttpContext context, string method, Func<CancellationToken, Task<SecretsEncryptionStatus>> action)
    {
        if (Refusal(context.Connection.ClientCertificate) is { } refusal)
        {
            await ApiRequestHandler.WriteStatusAsync(context, refusal);
            return;
        }

        if (!string.Equals(context.Request.Method, method, StringComparison.Ordinal))
        {
            context.Response.Headers.Allow = method;
            await ApiRequestHandler.WriteStatusAsync(context, Status.Failure(405, "MethodNotAllowed", $"{context.Request.Method} is not supported here; use {method}"));
            return;
        }

        SecretsEncryptionStatus status;
        try
        {
            status = await action(context.RequestAborted);
        }
        catch (InvalidOperationException e)
        {
            await ApiRequestHandler.WriteStatusAsync(context, Status.Failure(409, "Conflict", e.Message));
            return;
        }
        catch (Exception e) when (e is StoreException or StartupException)
        {
            await ApiRequestHandler.WriteStatusAsync(context, Status.Failure(500, "InternalError", e.Message));
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(status, ServerJsonContext.Default.SecretsEncryptionStatus), context.RequestAborted);
    }

    private Status? Refusal(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return Status.Failure(401, "Unauthorized", "a client certificate of the cluster CA is required");
        }

        if (!ClusterPki.IsIssuedBy(certificate, authority, ClusterPki.ClientAuthOid) || !InMastersGroup(certificate))
        {
            return Status.Failure(403, "Forbidden", $"{certificate.GetNameInfo(X509NameType.SimpleName, false)} may not manage secrets encryption: it needs group {MastersGroup}");
        }

        return null;
    }

    private static bool InMastersGroup(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames().Any(rdn =>
            rdn.GetSingleElementType().Value == OrganizationOid && rdn.GetSingleElementValue() == MastersGroup);
}
