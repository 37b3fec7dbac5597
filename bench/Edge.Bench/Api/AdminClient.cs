using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Edge.Bench.Api;

/// <summary>
/// HTTPS clients as kubectl's admin: the client certificate and key from the admin kubeconfig,
/// the server trusted only through the cluster CA in the data dir.
/// </summary>
public static class AdminClient
{
    /// <summary>
    /// One client with its own connection pool. HTTP/2 (kubectl's default) multiplexes every
    /// request of this client over one TLS connection, opening another only when the server's
    /// stream limit (Kestrel: 100 per connection) is reached.
    /// </summary>
    /// <summary>Set by <c>--http1.1</c>: every client of the run speaks HTTP/1.1 instead of kubectl's HTTP/2.</summary>
    public static bool PreferHttp11 { get; set; }

    public static HttpClient Create(EdgeServerProcess server, bool? http2 = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(server.CaFile);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        handler.SslOptions.ClientCertificates = [ClientCertificate(server.Kubeconfig)];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 c && chain.Build(c);
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{server.Port}"),
            DefaultRequestVersion = http2 ?? !PreferHttp11 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The <c>client-certificate-data</c> and <c>client-key-data</c> of the kubeconfig the server wrote.</summary>
    private static X509Certificate2 ClientCertificate(string kubeconfig)
    {
        string Field(string name)
        {
            var line = File.ReadLines(kubeconfig).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"{kubeconfig} has no {name}");
            return Encoding.ASCII.GetString(Convert.FromBase64String(line[(name.Length + 1)..].Trim()));
        }

        using var ephemeral = X509Certificate2.CreateFromPem(Field("client-certificate-data"), Field("client-key-data"));
        // SslStream wants a certificate whose key it can hand to OpenSSL: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
