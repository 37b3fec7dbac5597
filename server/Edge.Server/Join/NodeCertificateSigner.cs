using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.Server.Pki;

namespace Edge.Server.Join;

/// <summary>
/// Turns a node's CSR into its client certificate, <c>CN=system:node:&lt;name&gt;, O=system:nodes</c>,
/// signed by the cluster CA. The CSR proves possession of the key (its signature is checked) and
/// must name the node it is for; nothing else in it is trusted: no SANs, usages or lifetime are
/// copied, the certificate is built from the node name and the public key alone.
/// </summary>
public sealed class NodeCertificateSigner(X509Certificate2 authority, TimeSpan lifetime, TimeProvider time)
{
    public const string NodeGroup = "system:nodes";
    public const string NodeUserPrefix = "system:node:";

    /// <summary>The default lifetime of a node certificate: one year, as kubelet's.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);

    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaPublicKeyOid = "1.2.840.113549.1.1.1";

    public TimeSpan Lifetime => lifetime;

    /// <summary>Checks the CSR and returns its public key; 400 with the reason when it is unusable.</summary>
    public static PublicKey ValidateCsr(string? csrPem, string nodeName)
    {
        if (string.IsNullOrWhiteSpace(csrPem))
        {
            throw ApiException.BadRequest("csr is required: a PEM PKCS#10 certificate request");
        }

        CertificateRequest csr;
        try
        {
            // Default options verify the signature and drop the CSR's extensions.
            csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw ApiException.BadRequest($"csr is not a valid PEM PKCS#10 certificate request with a correct signature: {e.Message}");
        }

        var subject = csr.SubjectName.EnumerateRelativeDistinguishedNames()
            .Select(rdn => (Oid: rdn.GetSingleElementType().Value, Value: rdn.GetSingleElementValue()))
            .ToList();
        var wanted = new[] { ("2.5.4.3", NodeUserPrefix + nodeName), ("2.5.4.10", NodeGroup) };
        if (subject.Count != 2 || !wanted.All(w => subject.Contains(w)))
        {
            throw ApiException.BadRequest($"csr subject is '{csr.SubjectName.Name}'; a node named {nodeName} must ask for 'CN={NodeUserPrefix}{nodeName}, O={NodeGroup}'");
        }

        var key = csr.PublicKey;
        var acceptable = key.Oid.Value switch
        {
            EcPublicKeyOid => key.GetECDsaPublicKey() is { KeySize: >= 256 },
            RsaPublicKeyOid => key.GetRSAPublicKey() is { KeySize: >= 2048 },
            _ => false,
        };
        if (!acceptable)
        {
            throw ApiException.BadRequest("csr key must be ECDSA (P-256 or larger) or RSA (2048 bits or more)");
        }

        return key;
    }

    public X509Certificate2 Issue(string nodeName, PublicKey key) =>
        CertificateFactory.IssueClientForKey(authority, NodeUserPrefix + nodeName, [NodeGroup], key, time.GetUtcNow(), lifetime);

    /// <summary>SHA-256 of the key's SubjectPublicKeyInfo, hex: what the Node's annotation records.</summary>
    public static string KeyHash(PublicKey key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The node a client certificate belongs to, or null when it is not a node's.</summary>
    public static string? NodeNameOf(X509Certificate2 certificate)
    {
        string? user = null;
        var inGroup = false;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3":
                    user = rdn.GetSingleElementValue();
                    break;
                case "2.5.4.10":
                    inGroup |= rdn.GetSingleElementValue() == NodeGroup;
                    break;
            }
        }

        return inGroup && user is not null && user.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && user.Length > NodeUserPrefix.Length
            ? user[NodeUserPrefix.Length..]
            : null;
    }

    /// <summary>A 401 that never says which part of the credential was wrong.</summary>
    public static ApiException Unauthorized(string message) => new(Status.Failure(401, "Unauthorized", message));
}
