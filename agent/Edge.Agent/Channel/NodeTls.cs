using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Identity;

namespace Edge.Agent.Channel;

/// <summary>The agent's side of mutual TLS with the server: present the node certificate, trust only the cluster CA.</summary>
public static class NodeTls
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

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
