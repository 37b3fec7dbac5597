using System.Security.Cryptography.X509Certificates;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Registry;
using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Authentication;

/// <summary>
/// Finds who sent a request, as upstream's union authenticator: a client certificate of the
/// cluster CA (the TLS layer has already refused any other; CN is the user, each O a group),
/// else a bearer service-account token, else anonymous. Credentials that are present but wrong
/// are an error (401), never a fall back to anonymous. Join tokens are for joining only and are
/// refused here.
/// </summary>
public sealed class RequestAuthenticator(ServiceAccountTokens? serviceAccountTokens, ObjectRegistry? registry)
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Certificate2, UserInfo> CertificateUsers = new();

    public const string ServiceAccountUidExtra = "authentication.kubernetes.io/credential-id";
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";

    /// <summary>The user, or an <see cref="ApiException"/> 401 for credentials that do not hold.</summary>
    public async ValueTask<UserInfo> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Connection.ClientCertificate is { } certificate)
        {
            // One certificate object per TLS connection: read its subject once, not per request.
            return CertificateUsers.GetValue(certificate, FromCertificate);
        }

        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return UserInfo.Anonymous;
        }

        var value = authorization.ToString();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= 7)
        {
            throw Unauthorized();
        }

        return await FromBearerAsync(value[7..].Trim(), cancellationToken) ?? throw Unauthorized();
    }

    /// <summary>The user a certificate names: CN the user name, every O a group.</summary>
    public static UserInfo FromCertificate(X509Certificate2 certificate)
    {
        string? name = null;
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3":
                    name ??= rdn.GetSingleElementValue();
                    break;
                case "2.5.4.10":
                    if (rdn.GetSingleElementValue() is { Length: > 0 } group)
                    {
                        groups.Add(group);
                    }

                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            throw Unauthorized();
        }

        return UserInfo.Create(name, groups);
    }

    /// <summary>A service-account token, checked as upstream does: signature, time, and that the account (and the bound pod) still exist with the uids the token names.</summary>
    public async ValueTask<UserInfo?> FromBearerAsync(string token, CancellationToken cancellationToken)
    {
        if (serviceAccountTokens is null || !ServiceAccountTokens.LooksLikeJwt(token))
        {
            return null;
        }

        var claims = serviceAccountTokens.Validate(token, out _);
        if (claims is null)
        {
            return null;
        }

        if (registry is not null)
        {
            if (await UidOfAsync(KnownResources.ServiceAccounts, claims.Namespace, claims.ServiceAccountName, cancellationToken) != claims.ServiceAccountUid)
            {
                return null;
            }

            if (claims.PodName is not null && await UidOfAsync(KnownResources.Pods, claims.Namespace, claims.PodName, cancellationToken) != claims.PodUid)
            {
                return null;
            }
        }

        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (claims.Id.Length > 0)
        {
            extra[ServiceAccountUidExtra] = ["JTI=" + claims.Id];
        }

        if (claims.PodName is not null)
        {
            extra[PodNameExtra] = [claims.PodName];
            extra[PodUidExtra] = [claims.PodUid ?? ""];
        }

        if (claims.NodeName is not null)
        {
            extra[NodeNameExtra] = [claims.NodeName];
        }

        return UserInfo.Create(
            claims.UserName, [UserInfo.ServiceAccounts, UserInfo.ServiceAccounts + ":" + claims.Namespace], claims.ServiceAccountUid, extra);
    }

    private async ValueTask<string?> UidOfAsync(ResourceType resource, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            var obj = await registry!.GetAsync(resource, ns, name, cancellationToken);
            return ObjectFields.Uid(obj);
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return null;
        }
    }

    /// <summary>Upstream's 401: a Status with no hint of which credential failed or why.</summary>
    public static ApiException Unauthorized() => new(Api.Meta.Status.Failure(401, "Unauthorized", "Unauthorized"));
}
