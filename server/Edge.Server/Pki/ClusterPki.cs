using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Native;

namespace Edge.Server.Pki;

/// <summary>
/// The cluster's certificate authority and the certificates the server needs to start:
/// created on first start, reused on every restart, re-issued (from the same CA) when they come
/// within <see cref="RenewBefore"/> of expiry or when the serving certificate no longer names
/// every address the server answers on.
/// </summary>
public sealed class ClusterPki
{
    /// <summary>Leaf certificates are re-issued when fewer days than this remain, as k3s does.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(90);
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);

    private ClusterPki(X509Certificate2 authority, X509Certificate2 serving, X509Certificate2 admin, IReadOnlyList<string> changes)
    {
        Authority = authority;
        Serving = serving;
        Admin = admin;
        Changes = changes;
    }

    /// <summary>The CA, with its private key.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The HTTPS serving certificate, with its key.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The admin client certificate (<c>CN=system:admin, O=system:masters</c>), with its key.</summary>
    public X509Certificate2 Admin { get; }

    /// <summary>What this start created or re-issued, for the log.</summary>
    public IReadOnlyList<string> Changes { get; }

    /// <summary>The CA certificate as PEM, byte for byte what <c>/cacerts</c> serves and the token hashes.</summary>
    public string AuthorityPem => PemOf(Authority);

    /// <summary>A certificate as the PEM text Edge writes and serves: the hash in a join token covers exactly these bytes.</summary>
    public static string PemOf(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static ClusterPki LoadOrCreate(ServerPaths paths, ServingNames names, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var changes = new List<string>();
        Directory.CreateDirectory(paths.TlsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        X509Certificate2 authority;
        if (File.Exists(paths.CaCertificate))
        {
            if (!File.Exists(paths.CaKey))
            {
                throw new StartupException($"{paths.CaCertificate} exists but its key {paths.CaKey} is missing; restore it from a backup");
            }

            authority = Load(paths.CaCertificate, paths.CaKey);
        }
        else
        {
            // No CA certificate means no certificate was ever handed out: a key left without its
            // certificate is the trace of an interrupted first start, and is replaced.
            authority = CertificateFactory.CreateAuthority($"edge-server-ca@{now.ToUnixTimeSeconds()}", now, AuthorityLifetime);
            Save(authority, paths.CaCertificate, paths.CaKey, certificateLast: true);
            changes.Add("created cluster CA");
        }

        var serving = LoadIfUsable(paths.ServingCertificate, paths.ServingKey, authority, now, ServerAuthOid, cert => names.CoveredBy(cert));
        if (serving is null)
        {
            serving = CertificateFactory.IssueServing(authority, "edge-server", names.DnsNames, names.Addresses, now, LeafLifetime);
            Save(serving, paths.ServingCertificate, paths.ServingKey, certificateLast: false);
            changes.Add($"issued serving certificate for {string.Join(", ", names.All)}");
        }

        var admin = LoadIfUsable(paths.AdminCertificate, paths.AdminKey, authority, now, ClientAuthOid, _ => true);
        if (admin is null)
        {
            admin = CertificateFactory.IssueClient(authority, "system:admin", ["system:masters"], now, LeafLifetime);
            Save(admin, paths.AdminCertificate, paths.AdminKey, certificateLast: false);
            changes.Add("issued admin client certificate");
        }

        return new ClusterPki(authority, serving, admin, changes);
    }

    /// <summary>Loads the CA certificate alone (for commands that do not start the server).</summary>
    public static X509Certificate2 LoadAuthorityCertificate(ServerPaths paths)
    {
        if (!File.Exists(paths.CaCertificate))
        {
            throw new StartupException($"{paths.DataDir} has no cluster CA yet: start edge-server once with this data dir");
        }

        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(paths.CaCertificate);
        }
        catch (CryptographicException e)
        {
            throw new StartupException($"{paths.CaCertificate} is not a readable certificate: {e.Message}", e);
        }
    }

    /// <summary>Loads a certificate and its key from the data dir.</summary>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new StartupException($"{certificatePath} (with {Path.GetFileName(keyPath)}) is not a usable PEM certificate and key: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="certificate"/> chains to this cluster's CA for the given usage.</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 authority, string usageOid)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usageOid));
        return chain.Build(certificate);
    }

    internal const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    internal const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private static X509Certificate2? LoadIfUsable(
        string certificatePath, string keyPath, X509Certificate2 authority, DateTimeOffset now, string usageOid,
        Func<X509Certificate2, bool> stillFits)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        var certificate = Load(certificatePath, keyPath);
        var fresh = certificate.NotAfter.ToUniversalTime() - now.UtcDateTime > RenewBefore;
        if (fresh && IsIssuedBy(certificate, authority, usageOid) && stillFits(certificate))
        {
            return certificate;
        }

        certificate.Dispose();
        return null;
    }

    private static void Save(X509Certificate2 certificate, string certificatePath, string keyPath, bool certificateLast)
    {
        var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("certificate has no ECDSA key");
        var keyPem = Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n");
        var certificatePem = Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n");
        const UnixFileMode readable = AtomicFile.WorldReadable;
        if (certificateLast)
        {
            AtomicFile.Write(keyPath, keyPem, AtomicFile.OwnerOnly);
            AtomicFile.Write(certificatePath, certificatePem, readable);
        }
        else
        {
            AtomicFile.Write(certificatePath, certificatePem, readable);
            AtomicFile.Write(keyPath, keyPem, AtomicFile.OwnerOnly);
        }
    }
}

/// <summary>The names the serving certificate must carry.</summary>
public sealed record ServingNames(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses)
{
    public IEnumerable<string> All => DnsNames.Concat(Addresses.Select(a => a.ToString()));

    /// <summary>
    /// Hostname, every local address, the in-cluster names of the API, and the operator's extra
    /// <c>--tls-san</c> entries (host names or addresses).
    /// </summary>
    public static ServingNames ForThisHost(IEnumerable<string> extra)
    {
        var dns = new List<string> { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" };
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        var host = Environment.MachineName;
        if (Uri.CheckHostName(host) == UriHostNameType.Dns)
        {
            dns.Insert(0, host.ToLowerInvariant());
        }

        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var ip = unicast.Address;
                if (!ip.IsIPv6LinkLocal)
                {
                    addresses.Add(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
                }
            }
        }

        foreach (var name in extra)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                addresses.Add(ip);
            }
            else
            {
                dns.Add(name.ToLowerInvariant());
            }
        }

        return new ServingNames(dns.Distinct().ToList(), addresses.Distinct().ToList());
    }

    /// <summary>True when the certificate names every DNS name and address we need.</summary>
    public bool CoveredBy(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
        {
            return false;
        }

        var dns = extension.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = extension.EnumerateIPAddresses().ToHashSet();
        return DnsNames.All(dns.Contains) && Addresses.All(ips.Contains);
    }
}
