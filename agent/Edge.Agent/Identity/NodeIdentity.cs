using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Native;

namespace Edge.Agent.Identity;

/// <summary>
/// The node's credentials under the data dir: <c>pki/ca.crt</c> (the cluster CA it trusts, and
/// nothing else), <c>pki/node.crt</c> and <c>pki/node.key</c> (0600; generated on the device, it
/// never leaves it).
/// </summary>
/// <remarks>
/// A certificate and its key are two files, and no order of two renames is crash-proof on its own:
/// either order leaves a pair that does not match in between. So a new key is first written beside
/// the old one as <c>node.key.next</c>, then the certificate replaces <c>node.crt</c>, then the key
/// is renamed over <c>node.key</c>. <see cref="TryLoad"/> finishes an interrupted save: a
/// <c>node.key.next</c> that matches <c>node.crt</c> is moved into place, one that does not (the
/// crash came before the certificate) is dropped and the old pair is still whole.
/// </remarks>
public sealed class NodeIdentity : IDisposable
{
    private NodeIdentity(X509Certificate2 authority, X509Certificate2 certificate, ECDsa key)
    {
        Authority = authority;
        Certificate = certificate;
        Key = key;
    }

    /// <summary>The cluster CA.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>The node's client certificate, without its key.</summary>
    public X509Certificate2 Certificate { get; }

    public ECDsa Key { get; }

    /// <summary>The node name from the certificate (<c>CN=system:node:&lt;name&gt;</c>).</summary>
    public string NodeName => Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)["system:node:".Length..];

    /// <summary>SHA-256 (hex) of <c>ca.crt</c> exactly as stored: comparable with a join token's hash.</summary>
    public string AuthorityHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(Authority.ExportCertificatePem() + "\n")));

    /// <summary>The certificate with its key, to present over mutual TLS.</summary>
    public X509Certificate2 ClientCertificate() => Certificate.CopyWithPrivateKey(Key);

    public static NodeIdentity Create(string authorityPem, string certificatePem, ECDsa key)
    {
        X509Certificate2 authority;
        X509Certificate2 certificate;
        try
        {
            authority = X509Certificate2.CreateFromPem(authorityPem);
            certificate = X509Certificate2.CreateFromPem(certificatePem);
        }
        catch (CryptographicException e)
        {
            throw new AgentException($"the server answered with a certificate that cannot be read: {e.Message}", e);
        }

        if (!SameKey(certificate, key))
        {
            throw new AgentException("the server answered with a certificate for another key");
        }

        if (!ChainsTo(certificate, authority))
        {
            throw new AgentException("the server answered with a node certificate its CA did not sign for client use");
        }

        return new NodeIdentity(authority, certificate, key);
    }

    /// <summary>The stored identity, or null when this device has not joined (no <c>node.crt</c>).</summary>
    public static NodeIdentity? TryLoad(string dataDir)
    {
        var paths = new IdentityPaths(dataDir);
        if (!File.Exists(paths.Certificate))
        {
            return null;
        }

        try
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(paths.Authority);
            var certificate = X509CertificateLoader.LoadCertificateFromFile(paths.Certificate);
            if (File.Exists(paths.NextKey))
            {
                using var next = LoadKey(paths.NextKey);
                if (SameKey(certificate, next))
                {
                    File.Move(paths.NextKey, paths.Key, overwrite: true);
                    FileSystem.SyncDirectory(paths.Directory);
                }
                else
                {
                    File.Delete(paths.NextKey);
                }
            }

            var key = LoadKey(paths.Key);
            if (!SameKey(certificate, key))
            {
                throw new AgentException($"{paths.Key} does not belong to {paths.Certificate}; remove {paths.Directory} and join again");
            }

            return new NodeIdentity(authority, certificate, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new AgentException($"cannot read the node identity in {paths.Directory}: {e.Message}", e);
        }
    }

    /// <summary>Stores the identity in the crash-safe order described above.</summary>
    public void Save(string dataDir)
    {
        var paths = new IdentityPaths(dataDir);
        try
        {
            Directory.CreateDirectory(paths.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            AtomicFile.WriteText(paths.Authority, Authority.ExportCertificatePem() + "\n", AtomicFile.WorldReadable);
            AtomicFile.WriteText(paths.NextKey, Key.ExportPkcs8PrivateKeyPem() + "\n", AtomicFile.OwnerOnly);
            AtomicFile.WriteText(paths.Certificate, Certificate.ExportCertificatePem() + "\n", AtomicFile.WorldReadable);
            File.Move(paths.NextKey, paths.Key, overwrite: true);
            FileSystem.SyncDirectory(paths.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AgentException($"cannot write the node identity to {paths.Directory}: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        Authority.Dispose();
        Certificate.Dispose();
        Key.Dispose();
    }

    /// <summary>True when the certificate chains to the CA for client authentication.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority, string usageOid = "1.3.6.1.5.5.7.3.2")
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(usageOid));
        return chain.Build(certificate);
    }

    private static bool SameKey(X509Certificate2 certificate, ECDsa key) =>
        certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo());

    private static ECDsa LoadKey(string path)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return key;
    }
}

/// <summary>Where the identity lives below the agent's data dir.</summary>
public sealed record IdentityPaths(string DataDir)
{
    public string Directory => Path.Combine(DataDir, "pki");
    public string Authority => Path.Combine(Directory, "ca.crt");
    public string Certificate => Path.Combine(Directory, "node.crt");
    public string Key => Path.Combine(Directory, "node.key");
    public string NextKey => Path.Combine(Directory, "node.key.next");
}
