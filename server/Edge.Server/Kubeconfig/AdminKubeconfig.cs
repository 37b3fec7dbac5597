using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Edge.Server.Kubeconfig;

/// <summary>
/// The admin kubeconfig: the cluster CA, the server URL, and the admin client certificate, all
/// inline so the file works on its own when copied to a laptop. Written by hand rather than by a
/// YAML serializer: the shape is fixed and every value is quoted.
/// </summary>
public static class AdminKubeconfig
{
    public static string Render(string serverUrl, X509Certificate2 authority, X509Certificate2 admin)
    {
        var key = admin.GetECDsaPrivateKey() ?? throw new InvalidOperationException("admin certificate has no ECDSA key");
        var text = new StringBuilder();
        text.Append("apiVersion: v1\n");
        text.Append("kind: Config\n");
        text.Append("clusters:\n");
        text.Append("- name: default\n");
        text.Append("  cluster:\n");
        text.Append("    server: ").Append(Quote(serverUrl)).Append('\n');
        text.Append("    certificate-authority-data: ").Append(Base64(authority.ExportCertificatePem())).Append('\n');
        text.Append("contexts:\n");
        text.Append("- name: default\n");
        text.Append("  context:\n");
        text.Append("    cluster: default\n");
        text.Append("    user: default\n");
        text.Append("current-context: default\n");
        text.Append("preferences: {}\n");
        text.Append("users:\n");
        text.Append("- name: default\n");
        text.Append("  user:\n");
        text.Append("    client-certificate-data: ").Append(Base64(admin.ExportCertificatePem())).Append('\n');
        text.Append("    client-key-data: ").Append(Base64(key.ExportPkcs8PrivateKeyPem())).Append('\n');
        return text.ToString();
    }

    /// <summary>The URL kubectl on this host uses: loopback, which the serving certificate always names.</summary>
    public static string LocalServerUrl(string bindAddress, int port)
    {
        var host = bindAddress switch
        {
            "0.0.0.0" or "::" or "" => "127.0.0.1",
            var a when a.Contains(':') => $"[{a}]",
            var a => a,
        };
        return $"https://{host}:{port}";
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem + "\n"));

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
