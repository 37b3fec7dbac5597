using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Edge.Api;
using Edge.Server.Pki;

namespace Edge.Server.Encryption;

/// <summary>
/// <c>edge-server secrets-encrypt status|rotate-keys</c>: the running server holds the store, so
/// the command asks it over HTTPS with the admin client certificate from the data dir, trusting
/// only the cluster CA.
/// </summary>
public static class SecretsEncryptCommand
{
    /// <summary>Re-encrypting every Secret can take a while on a big cluster.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<string> RunAsync(string command, ServerPaths paths, string serverUrl)
    {
        using var authority = ClusterPki.LoadAuthorityCertificate(paths);
        using var admin = ClusterPki.Load(paths.AdminCertificate, paths.AdminKey);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [admin];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is X509Certificate2 serving && ClusterPki.IsIssuedBy(serving, authority, ClusterPki.ServerAuthOid);
        using var client = new HttpClient(handler) { BaseAddress = new Uri(serverUrl), Timeout = Timeout };

        HttpResponseMessage response;
        try
        {
            response = command == "rotate-keys"
                ? await client.PostAsync(SecretsEncryptionEndpoint.RotateKeysPath, null)
                : await client.GetAsync(SecretsEncryptionEndpoint.StatusPath);
        }
        catch (HttpRequestException e)
        {
            throw new StartupException($"cannot reach edge-server at {serverUrl} (is it running?): {e.Message}", e);
        }
        catch (TaskCanceledException e)
        {
            throw new StartupException($"edge-server at {serverUrl} did not answer within {Timeout.TotalMinutes:0} minutes", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            try
            {
                if (!response.IsSuccessStatusCode)
                {
                    var status = JsonSerializer.Deserialize(body, ApiJsonContext.Default.Status);
                    throw new StartupException($"edge-server refused: {status?.Message ?? response.ReasonPhrase}");
                }

                var answer = JsonSerializer.Deserialize(body, ServerJsonContext.Default.SecretsEncryptionStatus)
                    ?? throw new StartupException($"edge-server at {serverUrl} sent an empty answer");
                return (command == "rotate-keys" ? $"Rotated to key {answer.ActiveKey}.\n" : "") + answer.Render();
            }
            catch (JsonException e)
            {
                throw new StartupException($"edge-server at {serverUrl} answered {(int)response.StatusCode} with something that is not its status: {e.Message}", e);
            }
        }
    }
}
