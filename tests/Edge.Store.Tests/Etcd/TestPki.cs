using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Store.Tests.Etcd;

/// <summary>
/// A CA, an etcd serving certificate for 127.0.0.1 and a client certificate, as PEM files in a
/// folder. ECDSA P-256: about a millisecond per key.
/// </summary>
public sealed class TestPki
{
    private TestPki(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CaCert => Path.Combine(Directory, "ca.crt");

    public string ServerCert => Path.Combine(Directory, "server.crt");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string ClientCert => Path.Combine(Directory, "client.crt");

    public string ClientKey => Path.Combine(Directory, "client.key");

    /// <summary>Writes a fresh CA and its two leaf certificates into <paramref name="directory"/>.</summary>
    public static TestPki Create(string directory)
    {
        var pki = new TestPki(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("edge-test-etcd-ca", caKey);
        File.WriteAllText(pki.CaCert, ca.ExportCertificatePem());
        WriteLeaf(ca, "etcd-server", serverAuth: true, pki.ServerCert, pki.ServerKey);
        WriteLeaf(ca, "edge-client", serverAuth: false, pki.ClientCert, pki.ClientKey);
        return pki;
    }

    /// <summary>A CA certificate file of a CA that signed nothing of this PKI.</summary>
    public static void WriteUnrelatedCa(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("edge-test-other-ca", key);
        File.WriteAllText(path, ca.ExportCertificatePem());
    }

    /// <summary>An HTTP handler that trusts only this CA and presents the client certificate.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(CaCert));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = policy;
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCert, ClientKey)];
        return handler;
    }

    private static X509Certificate2 CreateCa(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static void WriteLeaf(X509Certificate2 ca, string name, bool serverAuth, string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        // A positive serial: Go's x509 rejects negative ones.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        // Within the CA's validity: "now + 1 day" taken a second later than the CA's own would exceed it.
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(23), serial);
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
