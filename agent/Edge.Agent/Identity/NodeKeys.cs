using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Agent.Identity;

/// <summary>Keys and certificate requests made on the device: ECDSA P-256, about a millisecond even on a Raspberry Pi.</summary>
public static class NodeKeys
{
    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A PEM PKCS#10 request for <c>CN=system:node:&lt;name&gt;, O=system:nodes</c>, signed by <paramref name="key"/>.</summary>
    public static string CreateCsr(string nodeName, ECDsa key)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("system:nodes");
        subject.AddCommonName("system:node:" + nodeName);
        return new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
