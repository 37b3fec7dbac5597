using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Pods.Volumes;

/// <summary>What a projected <c>serviceAccountToken</c> source asks for: a token of the pod's service account, bound to the pod.</summary>
public sealed record TokenRequestSpec(string Namespace, string ServiceAccount, string? Audience, long ExpirationSeconds, string PodName, string PodUid);

/// <summary>A token as the API server issued it.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>The API server's TokenRequest (<c>POST serviceaccounts/NAME/token</c>); the agent asks with its node identity.</summary>
public interface IServiceAccountTokenSource
{
    /// <summary>Throws <see cref="VolumeException"/> with the server's reason when no token is issued.</summary>
    Task<IssuedToken> RequestAsync(TokenRequestSpec spec, CancellationToken cancellationToken);
}

/// <summary>
/// The tokens of the node's projected volumes, as kubelet's token manager keeps them: one per
/// (pod, service account, audience, lifetime), asked for again once 80 % of its lifetime has passed
/// or after 24 hours, whichever is first, so a running container always reads a valid token from
/// its file. Tokens of pods that left the node are dropped with <see cref="Forget"/>.
/// </summary>
public sealed class ServiceAccountTokens(IServiceAccountTokenSource? source, TimeProvider time)
{
    /// <summary>Upstream's default <c>expirationSeconds</c> of a projected token (one hour).</summary>
    public const long DefaultExpirationSeconds = 3600;

    /// <summary>The least a projected source may ask for, as upstream's validation (10 minutes).</summary>
    public const long MinExpirationSeconds = 600;

    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private readonly Dictionary<TokenRequestSpec, (IssuedToken Token, DateTimeOffset RefreshAt)> _tokens = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// The token for every <c>serviceAccountToken</c> source of the pod's projected volumes, keyed
    /// by <see cref="Key"/>, fetched or refreshed as due; and when the earliest of them is due again.
    /// </summary>
    public async Task<(IReadOnlyDictionary<string, byte[]> Tokens, DateTimeOffset RefreshAt)> ForPodAsync(PodView pod, CancellationToken cancellationToken)
    {
        var tokens = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var refreshAt = DateTimeOffset.MaxValue;
        foreach (var volume in pod.Volumes)
        {
            var volumeName = PodView.Text(volume, "name") ?? "";
            foreach (var source in (volume["projected"]?["sources"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (source["serviceAccountToken"] is not JsonObject projected)
                {
                    continue;
                }

                var path = PodView.Text(projected, "path") ?? throw new VolumeException($"volume \"{volumeName}\": a serviceAccountToken source has no path");
                var seconds = projected["expirationSeconds"] is JsonValue value && value.TryGetValue<long>(out var s) ? s : DefaultExpirationSeconds;
                if (seconds < MinExpirationSeconds)
                {
                    throw new VolumeException($"volume \"{volumeName}\": expirationSeconds {seconds} is less than 10 minutes");
                }

                var spec = new TokenRequestSpec(
                    pod.Namespace, pod.ServiceAccountName is { Length: > 0 } account ? account : "default", PodView.Text(projected, "audience") is { Length: > 0 } audience ? audience : null, seconds, pod.Name, pod.Uid);
                var (token, due) = await GetAsync(spec, volumeName, cancellationToken);
                tokens[Key(volumeName, path)] = System.Text.Encoding.UTF8.GetBytes(token.Token);
                refreshAt = due < refreshAt ? due : refreshAt;
            }
        }

        return (tokens, refreshAt);
    }

    /// <summary>How <see cref="ForPodAsync"/> names a source's token: its volume and file path.</summary>
    public static string Key(string volumeName, string path) => $"{volumeName}/{path}";

    /// <summary>Drops the tokens of a pod that left the node.</summary>
    public void Forget(string podUid)
    {
        lock (_lock)
        {
            foreach (var spec in _tokens.Keys.Where(k => k.PodUid == podUid).ToList())
            {
                _tokens.Remove(spec);
            }
        }
    }

    private async Task<(IssuedToken Token, DateTimeOffset RefreshAt)> GetAsync(TokenRequestSpec spec, string volumeName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_tokens.TryGetValue(spec, out var cached) && now < cached.RefreshAt)
            {
                return cached;
            }
        }

        if (source is null)
        {
            throw new VolumeException($"volume \"{volumeName}\": this agent has no API connection to ask for service account tokens");
        }

        var token = await source.RequestAsync(spec, cancellationToken);
        var lifetime = token.ExpiresAt - now;
        var refreshAt = now + TimeSpan.FromTicks(Math.Min((long)(lifetime.Ticks * 0.8), MaxAge.Ticks));
        lock (_lock)
        {
            _tokens[spec] = (token, refreshAt);
        }

        return (token, refreshAt);
    }
}
