using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Api.Errors;
using Edge.Server.Join;
using Edge.Server.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Join;

public sealed class NodeCertificateSignerTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private static readonly X509Certificate2 Authority = CertificateFactory.CreateAuthority("test-ca", Time.GetUtcNow(), ClusterPki.AuthorityLifetime);

    private static string Csr(string subject, ECDsa key, Action<CertificateRequest>? extend = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        extend?.Invoke(request);
        return request.CreateSigningRequestPem();
    }

    [Fact]
    public void Issue_ValidCsr_ClientCertificateForTheNodeOnly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = Csr("O=system:nodes, CN=system:node:pi-1", key, r =>
        {
            // A CSR asking for more than a node gets: none of it may reach the certificate.
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("kubernetes.default.svc");
            r.CertificateExtensions.Add(names.Build());
            r.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClusterPki.ServerAuthOid)], false));
        });
        var signer = new NodeCertificateSigner(Authority, NodeCertificateSigner.DefaultLifetime, Time);

        using var certificate = signer.Issue("pi-1", NodeCertificateSigner.ValidateCsr(csr, "pi-1"));

        Assert.Equal("O=system:nodes, CN=system:node:pi-1", certificate.Subject);
        Assert.Equal("pi-1", NodeCertificateSigner.NodeNameOf(certificate));
        Assert.True(ClusterPki.IsIssuedBy(certificate, Authority, ClusterPki.ClientAuthOid));
        Assert.False(ClusterPki.IsIssuedBy(certificate, Authority, ClusterPki.ServerAuthOid));
        var usages = Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages;
        Assert.Equal(ClusterPki.ClientAuthOid, Assert.Single(usages.Cast<Oid>()).Value);
        Assert.Empty(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(Time.GetUtcNow().AddDays(365).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(certificate.HasPrivateKey);
    }

    [Theory]
    [InlineData("O=system:nodes, CN=system:node:other", "subject")]
    [InlineData("CN=system:node:pi-1", "subject")]
    [InlineData("O=system:masters, CN=system:node:pi-1", "subject")]
    [InlineData("O=system:masters, O=system:nodes, CN=system:node:pi-1", "subject")]
    public void ValidateCsr_WrongSubject_IsRefused(string subject, string mentions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<ApiException>(() => NodeCertificateSigner.ValidateCsr(Csr(subject, key), "pi-1"));

        Assert.Equal(400, error.Status.Code);
        Assert.Contains(mentions, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")]
    public void ValidateCsr_Garbage_IsRefused(string csr)
    {
        var error = Assert.Throws<ApiException>(() => NodeCertificateSigner.ValidateCsr(csr, "pi-1"));

        Assert.Equal(400, error.Status.Code);
        Assert.Contains("csr", error.Message);
    }

    [Fact]
    public void ValidateCsr_BadSignature_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=system:nodes, CN=system:node:pi-1", key, HashAlgorithmName.SHA256);
        var der = request.CreateSigningRequest();
        der[^1] ^= 0x55; // the last byte belongs to the signature
        var pem = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        var error = Assert.Throws<ApiException>(() => NodeCertificateSigner.ValidateCsr(pem, "pi-1"));

        Assert.Equal(400, error.Status.Code);
    }

    [Fact]
    public void ValidateCsr_WeakRsaKey_IsRefused()
    {
        using var key = RSA.Create(1024);
        var csr = new CertificateRequest("O=system:nodes, CN=system:node:pi-1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();

        var error = Assert.Throws<ApiException>(() => NodeCertificateSigner.ValidateCsr(csr, "pi-1"));

        Assert.Contains("RSA (2048 bits or more)", error.Message);
    }

    [Fact]
    public void NodeNameOf_AdminCertificate_IsNull()
    {
        using var admin = CertificateFactory.IssueClient(Authority, "system:admin", ["system:masters"], Time.GetUtcNow(), TimeSpan.FromDays(1));
        using var impostor = CertificateFactory.IssueClient(Authority, "system:node:x", ["system:masters"], Time.GetUtcNow(), TimeSpan.FromDays(1));

        Assert.Null(NodeCertificateSigner.NodeNameOf(admin));
        Assert.Null(NodeCertificateSigner.NodeNameOf(impostor));
    }

    [Theory]
    [InlineData("dedicated=edge:NoSchedule", "dedicated", "edge", "NoSchedule")]
    [InlineData("gpu:NoExecute", "gpu", null, "NoExecute")]
    [InlineData("a=b=c:PreferNoSchedule", "a", "b=c", "PreferNoSchedule")]
    public void ParseTaint_WellFormed(string text, string key, string? value, string effect)
    {
        var taint = NodeRegistry.ParseTaint(text)!;

        Assert.Equal(key, (string?)taint["key"]);
        Assert.Equal(value, (string?)taint["value"]);
        Assert.Equal(effect, (string?)taint["effect"]);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("a=b:Sometimes")]
    [InlineData(":NoSchedule")]
    public void ParseTaint_Malformed_IsNull(string text) => Assert.Null(NodeRegistry.ParseTaint(text));
}
