using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Pods.Volumes;

namespace Edge.Agent.Run;

/// <summary>
/// Service account tokens for projected volumes, asked of the API server with the node's identity,
/// as kubelet does: a TokenRequest bound to the pod, so the token dies with it (the server lets a
/// node ask only for its own pods' tokens).
/// </summary>
public sealed class ApiTokenSource(NodeApiClients client) : IServiceAccountTokenSource
{
    public async Task<IssuedToken> RequestAsync(TokenRequestSpec spec, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["spec"] = new JsonObject
            {
                ["audiences"] = spec.Audience is { } audience ? new JsonArray(audience) : new JsonArray(),
                ["expirationSeconds"] = spec.ExpirationSeconds,
                ["boundObjectRef"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = spec.PodName, ["uid"] = spec.PodUid },
            },
        };
        HttpStatusCode status;
        JsonNode? answer;
        try
        {
            (status, answer) = await client.Current.SendAsync(
                HttpMethod.Post, $"/api/v1/namespaces/{spec.Namespace}/serviceaccounts/{spec.ServiceAccount}/token", body, "application/json", cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or TaskCanceledException or System.Security.Authentication.AuthenticationException)
        {
            throw new VolumeException($"failed to fetch token: the API server is not reachable ({e.Message})");
        }

        if (status is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            var message = answer?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : $"HTTP {(int)status}";
            throw new VolumeException($"failed to fetch token: {message}");
        }

        if (answer?["status"]?["token"] is not JsonValue tokenValue || !tokenValue.TryGetValue<string>(out var token) || token.Length == 0)
        {
            throw new VolumeException("failed to fetch token: the API server's answer holds no token");
        }

        var expires = answer["status"]?["expirationTimestamp"] is JsonValue e2 && e2.TryGetValue<string>(out var at)
            && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.UtcNow.AddSeconds(spec.ExpirationSeconds);
        return new IssuedToken(token, expires);
    }
}
