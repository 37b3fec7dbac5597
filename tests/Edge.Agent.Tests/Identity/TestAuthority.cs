using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Identity;

namespace Edge.Agent.Tests.Identity;

/// <summary>A throwaway cluster CA that issues node identities as the server's join service would.</summary>
internal sealed class TestAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestAuthority()
    {
        var request = new CertificateRequest("CN=test-ca", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(10));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>A node client certificate (PEM) for <paramref name="key"/>.</summary>
    public string Issue(ECDsa key, string node, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = CertificateRequest.LoadSigningRequestPem(NodeKeys.CreateCsr(node, key), HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(Certificate, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>A fresh identity (new key) valid from an hour ago for <paramref name="days"/>.</summary>
    public NodeIdentity NewIdentity(string node = "pi-1", int days = 365)
    {
        var key = NodeKeys.NewKey();
        var now = DateTimeOffset.UtcNow;
        return NodeIdentity.Create(Pem, Issue(key, node, now.AddHours(-1), now.AddDays(days)), key);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
