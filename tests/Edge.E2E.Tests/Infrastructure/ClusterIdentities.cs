using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Edge.E2E.Tests.Infrastructure;

/// <summary>
/// Identities a test makes for a running server from its data dir, as an operator (or an
/// attacker holding a key) could: client certificates issued by the cluster CA, kubeconfigs for
/// them, and service-account JWTs signed with (or without) the server's key.
/// </summary>
public static class ClusterIdentities
{
    /// <summary>A client certificate <c>CN=user, O=group…</c> signed by the server's CA.</summary>
    public static X509Certificate2 IssueClientCertificate(ServerProcess server, string user, params string[] groups)
    {
        using var ca = X509Certificate2.CreateFromPemFile(server.CaFile, Path.Combine(server.DataDir, "tls", "server-ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new StringBuilder("CN=" + user);
        foreach (var group in groups)
        {
            subject.Append(", O=").Append(group);
        }

        var request = new CertificateRequest(subject.ToString(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A kubeconfig for <paramref name="certificate"/> (with key), written next to the server's.</summary>
    public static string WriteKubeconfig(ServerProcess server, TempDir temp, X509Certificate2 certificate, string name)
    {
        var cert = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        var key = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        return WriteKubeconfig(server, temp, name, $"client-certificate-data: {cert}\n    client-key-data: {key}");
    }

    /// <summary>A kubeconfig that authenticates with a bearer token.</summary>
    public static string WriteTokenKubeconfig(ServerProcess server, TempDir temp, string token, string name) =>
        WriteKubeconfig(server, temp, name, $"token: {token}");

    private static string WriteKubeconfig(ServerProcess server, TempDir temp, string name, string credentials)
    {
        var path = temp[name + "-kubeconfig.yaml"];
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(File.ReadAllText(server.CaFile)));
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: edge
              cluster:
                server: https://127.0.0.1:{server.Port}
                certificate-authority-data: {ca}
            users:
            - name: {name}
              user:
                {credentials}
            contexts:
            - name: {name}
              context:
                cluster: edge
                user: {name}
                namespace: default
            current-context: {name}
            """);
        return path;
    }

    /// <summary>
    /// A service-account JWT with the given claims, signed ES256 with <paramref name="key"/> — the
    /// server's own key (from the data dir) to forge expired tokens, or a foreign one.
    /// </summary>
    public static string SignToken(ECDsa key, string payloadJson)
    {
        var header = Base64Url.EncodeToString("""{"alg":"ES256"}"""u8);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return header + "." + payload + "." + Base64Url.EncodeToString(signature);
    }

    public static ECDsa ServiceAccountKey(ServerProcess server)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(server.DataDir, "tls", "service-account.key")));
        return key;
    }
}
