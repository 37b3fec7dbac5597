using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Identity;

namespace Edge.Agent.Channel;

/// <summary>The agent's side of mutual TLS with the server: present the node certificate, trust only the cluster CA.</summary>
public static class NodeTls
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// Points OpenSSL's default trust store at the cluster CA, as edge-server does for itself. The
    /// agent dials only its server (whose chain it checks against that CA) and containerd's unix
    /// socket; probes do not verify pods' certificates (kubelet's rule). Without this, every TLS
    /// handshake makes .NET load the whole system store (/etc/ssl/certs) into OpenSSL's heap, even
    /// for chains built with custom root trust: about 2 MB the agent never uses.
    /// </summary>
    public static void TrustOnlyClusterAuthority(string dataDir)
    {
        var paths = new IdentityPaths(dataDir);
        Edge.Native.ProcessEnvironment.SetForNativeCode("SSL_CERT_FILE", paths.Authority);
        Edge.Native.ProcessEnvironment.SetForNativeCode("SSL_CERT_DIR", paths.Directory);
    }

    /// <summary>Sets up <paramref name="ssl"/>; returns the presented certificate (with key), which the caller disposes.</summary>
    public static X509Certificate2 Configure(SslClientAuthenticationOptions ssl, NodeIdentity identity)
    {
        var presented = identity.ClientCertificate();
        var authority = identity.Authority;
        ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
            && certificate is X509Certificate2 serving
            && NodeIdentity.ChainsTo(serving, authority, usageOid: ServerAuthOid);
        ssl.ClientCertificates = [presented];
        return presented;
    }
}
