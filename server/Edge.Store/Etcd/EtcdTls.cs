using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Edge.Store.Etcd;

/// <summary>The TLS side of the etcd connection: our own CA as the only trust root, and the client certificate.</summary>
internal static class EtcdTls
{
    public static void Configure(SslClientAuthenticationOptions ssl, EtcdStoreOptions options)
    {
        if (options.CaFile is not null)
        {
            // The chain policy, not only a validation callback: SslStream builds the chain before it
            // calls back, and a default policy would load the whole system trust store for that.
            // With CustomRootTrust the system store is never read, and a server certificate from any
            // other CA fails; the host name is still checked by SslStream.
            var roots = LoadCertificates(options.CaFile, "CA file");
            ssl.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            ssl.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (options.CertFile is not null && options.KeyFile is not null)
        {
            ssl.ClientCertificateContext = LoadClientCertificate(options.CertFile, options.KeyFile);
        }
    }

    private static X509Certificate2Collection LoadCertificates(string path, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new StoreException($"cannot read the etcd {what} {path}: {e.Message}", e);
        }

        if (certificates.Count == 0)
        {
            throw new StoreException($"the etcd {what} {path} holds no PEM certificate");
        }

        return certificates;
    }

    // A certificate context rather than ClientCertificates: SslStream sends it whatever CA names
    // the server asks for, and with the chain that follows the leaf in the PEM file.
    private static SslStreamCertificateContext LoadClientCertificate(string certFile, string keyFile)
    {
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new StoreException($"cannot load the etcd client certificate {certFile} with key {keyFile}: {e.Message}", e);
        }

        var chain = LoadCertificates(certFile, "client certificate");
        chain.RemoveAt(0);
        return SslStreamCertificateContext.Create(leaf, chain, offline: true);
    }
}
