using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Server.Pki;

/// <summary>
/// Makes the cluster's certificates. ECDSA P-256 throughout: about 1 ms a key, where RSA-2048
/// costs hundreds of milliseconds of first-start time on a Raspberry Pi.
/// </summary>
internal static class CertificateFactory
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static X509Certificate2 CreateAuthority(string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddHours(-1), now + lifetime);
    }

    public static X509Certificate2 IssueServing(
        X509Certificate2 authority, string commonName, IEnumerable<string> dnsNames, IEnumerable<System.Net.IPAddress> addresses,
        DateTimeOffset now, TimeSpan lifetime)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var ip in addresses)
        {
            names.AddIpAddress(ip);
        }

        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        return Issue(authority, subject.Build(), ServerAuth, names.Build(), now, lifetime);
    }

    public static X509Certificate2 IssueClient(
        X509Certificate2 authority, string user, IEnumerable<string> groups, DateTimeOffset now, TimeSpan lifetime)
    {
        return Issue(authority, ClientSubject(user, groups), ClientAuth, alternativeNames: null, now, lifetime);
    }

    /// <summary>
    /// A client certificate for a key the server never sees (a node's, from its CSR). Only the
    /// subject and the public key come from the caller; usages and validity are ours.
    /// </summary>
    public static X509Certificate2 IssueClientForKey(
        X509Certificate2 authority, string user, IEnumerable<string> groups, PublicKey key, DateTimeOffset now, TimeSpan lifetime)
    {
        var request = new CertificateRequest(ClientSubject(user, groups), key, HashAlgorithmName.SHA256);
        return Sign(authority, request, ClientAuth, alternativeNames: null, now, lifetime);
    }

    private static X500DistinguishedName ClientSubject(string user, IEnumerable<string> groups)
    {
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups)
        {
            subject.AddOrganizationName(group);
        }

        subject.AddCommonName(user);
        return subject.Build();
    }

    private static X509Certificate2 Issue(
        X509Certificate2 authority, X500DistinguishedName subject, Oid usage, X509Extension? alternativeNames,
        DateTimeOffset now, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = Sign(authority, new CertificateRequest(subject, key, HashAlgorithmName.SHA256), usage, alternativeNames, now, lifetime);
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Sign(
        X509Certificate2 authority, CertificateRequest request, Oid usage, X509Extension? alternativeNames,
        DateTimeOffset now, TimeSpan lifetime)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (alternativeNames is not null)
        {
            request.CertificateExtensions.Add(alternativeNames);
        }

        var notAfter = now + lifetime;
        if (notAfter > authority.NotAfter)
        {
            notAfter = authority.NotAfter;
        }

        return request.Create(authority, now.AddHours(-1), notAfter, NewSerialNumber());
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive, as RFC 5280 and Go's x509 require
        serial[0] |= 0x01; // and no leading zero byte to strip
        return serial;
    }
}
