using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Edge.ApiServer.Authentication;

/// <summary>What a service-account token says: who, for whom, until when, and what it is bound to.</summary>
public sealed record ServiceAccountClaims
{
    public required string Namespace { get; init; }

    public required string ServiceAccountName { get; init; }

    public required string ServiceAccountUid { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset Expires { get; init; }

    /// <summary>The pod the token is bound to: it stops working when that pod is gone.</summary>
    public string? PodName { get; init; }

    public string? PodUid { get; init; }

    /// <summary>The node the bound pod ran on (informational, as upstream).</summary>
    public string? NodeName { get; init; }

    public string? NodeUid { get; init; }

    /// <summary>The token's own id (<c>jti</c>).</summary>
    public string Id { get; init; } = "";

    public string UserName => $"{UserInfo.ServiceAccountUserPrefix}{Namespace}:{ServiceAccountName}";
}

/// <summary>
/// Service-account tokens: JWTs signed ES256 with the server's service-account key, shaped as
/// upstream's bound tokens (<c>kubernetes.io</c> claim with namespace, serviceaccount, pod, node),
/// so in-cluster client libraries read them as they read Kubernetes' own. Only the signature,
/// the issuer, the audience and the time window are checked here; that the service account and
/// the bound pod still exist is the authenticator's business (it needs the registry).
/// </summary>
public sealed class ServiceAccountTokens
{
    /// <summary>The issuer and default audience, as upstream's and k3s's default.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>Clock skew tolerated on nbf/exp, as upstream's 60 s leeway.</summary>
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(60);

    private readonly ECDsa _key;
    private readonly string _keyId;
    private readonly TimeProvider _time;

    public ServiceAccountTokens(ECDsa key, TimeProvider time, string issuer = DefaultIssuer)
    {
        _key = key;
        _time = time;
        Issuer = issuer;
        // Upstream's kid: the base64url SHA-256 of the public key's DER form.
        _keyId = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    public string Issuer { get; }

    /// <summary>The audiences a token must name to be accepted by this API server.</summary>
    public IReadOnlyList<string> ApiAudiences => [Issuer];

    public string Issue(ServiceAccountClaims claims)
    {
        var header = Encode(writer =>
        {
            writer.WriteString("alg", "ES256");
            writer.WriteString("kid", _keyId);
        });
        var payload = Encode(writer =>
        {
            writer.WriteStartArray("aud");
            foreach (var audience in claims.Audiences)
            {
                writer.WriteStringValue(audience);
            }

            writer.WriteEndArray();
            writer.WriteNumber("exp", claims.Expires.ToUnixTimeSeconds());
            writer.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            writer.WriteString("iss", Issuer);
            if (claims.Id.Length > 0)
            {
                writer.WriteString("jti", claims.Id);
            }

            writer.WriteStartObject("kubernetes.io");
            writer.WriteString("namespace", claims.Namespace);
            if (claims.NodeName is not null)
            {
                writer.WriteStartObject("node");
                writer.WriteString("name", claims.NodeName);
                writer.WriteString("uid", claims.NodeUid ?? "");
                writer.WriteEndObject();
            }

            if (claims.PodName is not null)
            {
                writer.WriteStartObject("pod");
                writer.WriteString("name", claims.PodName);
                writer.WriteString("uid", claims.PodUid ?? "");
                writer.WriteEndObject();
            }

            writer.WriteStartObject("serviceaccount");
            writer.WriteString("name", claims.ServiceAccountName);
            writer.WriteString("uid", claims.ServiceAccountUid);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteNumber("nbf", claims.IssuedAt.ToUnixTimeSeconds());
            writer.WriteString("sub", claims.UserName);
        });
        var signingInput = header + "." + payload;
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>True when <paramref name="token"/> looks like a JWT at all (three base64url parts).</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("eyJ", StringComparison.Ordinal);

    /// <summary>Checks signature, issuer, audience and time; returns the claims or the reason for refusal.</summary>
    public ServiceAccountClaims? Validate(string token, out string error)
    {
        error = "";
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            error = "not a JWT";
            return null;
        }

        byte[] headerBytes, payloadBytes, signature;
        try
        {
            headerBytes = Base64Url.DecodeFromChars(parts[0]);
            payloadBytes = Base64Url.DecodeFromChars(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            error = "malformed JWT";
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object
                || !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
            {
                // Only our own algorithm: never "none", never a key the token names itself.
                error = "unsupported signing algorithm";
                return null;
            }

            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                error = "invalid signature";
                return null;
            }

            using var payload = JsonDocument.Parse(payloadBytes);
            return ReadClaims(payload.RootElement, out error);
        }
        catch (JsonException)
        {
            error = "malformed JWT";
            return null;
        }
        catch (InvalidOperationException)
        {
            error = "malformed JWT claims";
            return null;
        }
    }

    private ServiceAccountClaims? ReadClaims(JsonElement root, out string error)
    {
        error = "";
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "malformed JWT claims";
            return null;
        }

        if (String(root, "iss") != Issuer)
        {
            error = "token issued by another issuer";
            return null;
        }

        var audiences = new List<string>();
        if (root.TryGetProperty("aud", out var aud))
        {
            if (aud.ValueKind == JsonValueKind.String)
            {
                audiences.Add(aud.GetString()!);
            }
            else if (aud.ValueKind == JsonValueKind.Array)
            {
                audiences.AddRange(aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
            }
        }

        if (!audiences.Intersect(ApiAudiences).Any())
        {
            error = "token audiences " + string.Join(",", audiences) + " are not for this API server";
            return null;
        }

        var now = _time.GetUtcNow();
        var expires = Seconds(root, "exp");
        var notBefore = Seconds(root, "nbf") ?? Seconds(root, "iat");
        if (expires is null || now > expires.Value + Leeway)
        {
            error = "token has expired";
            return null;
        }

        if (notBefore is not null && now + Leeway < notBefore.Value)
        {
            error = "token is not valid yet";
            return null;
        }

        if (!root.TryGetProperty("kubernetes.io", out var k8s) || k8s.ValueKind != JsonValueKind.Object
            || String(k8s, "namespace") is not { Length: > 0 } ns
            || !k8s.TryGetProperty("serviceaccount", out var sa) || sa.ValueKind != JsonValueKind.Object
            || String(sa, "name") is not { Length: > 0 } saName
            || String(sa, "uid") is not { Length: > 0 } saUid)
        {
            error = "token has no service account claims";
            return null;
        }

        JsonElement pod = default, node = default;
        var hasPod = k8s.TryGetProperty("pod", out pod) && pod.ValueKind == JsonValueKind.Object;
        var hasNode = k8s.TryGetProperty("node", out node) && node.ValueKind == JsonValueKind.Object;
        return new ServiceAccountClaims
        {
            Namespace = ns,
            ServiceAccountName = saName,
            ServiceAccountUid = saUid,
            Audiences = audiences,
            IssuedAt = Seconds(root, "iat") ?? notBefore ?? now,
            Expires = expires.Value,
            PodName = hasPod ? String(pod, "name") : null,
            PodUid = hasPod ? String(pod, "uid") : null,
            NodeName = hasNode ? String(node, "name") : null,
            NodeUid = hasNode ? String(node, "uid") : null,
            Id = String(root, "jti") ?? "",
        };
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Seconds(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string Encode(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.WrittenSpan);
    }
}
