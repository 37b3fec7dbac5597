using System.Text.Json.Nodes;
using Edge.Agent.Runtime.Pods;
using Edge.Agent.Runtime.Pods.Volumes;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Agent.Runtime.Tests.Pods.Volumes;

/// <summary>The projected tokens' cache and refresh (<see cref="ServiceAccountTokens"/>); the API side runs in the E2E tests.</summary>
public sealed class ServiceAccountTokensTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Issues numbered tokens valid for what was asked, and counts the requests.</summary>
    private sealed class CountingSource(FakeTimeProvider time) : IServiceAccountTokenSource
    {
        public List<TokenRequestSpec> Requests { get; } = [];

        public string? Refusal { get; set; }

        public Task<IssuedToken> RequestAsync(TokenRequestSpec spec, CancellationToken cancellationToken)
        {
            if (Refusal is { } refusal)
            {
                throw new VolumeException(refusal);
            }

            Requests.Add(spec);
            return Task.FromResult(new IssuedToken($"token-{Requests.Count}", time.GetUtcNow().AddSeconds(spec.ExpirationSeconds)));
        }
    }

    private static PodView PodWithTokens(params JsonObject[] sources) => PodView.Parse(TestPods.Pod(
        "reader", TestPods.Container("c", "sleep", "60"), spec =>
        {
            spec["serviceAccountName"] = "robot";
            spec["volumes"] = new JsonArray(new JsonObject
            {
                ["name"] = "api",
                ["projected"] = new JsonObject { ["sources"] = new JsonArray(sources.Select(s => (JsonNode)s).ToArray()) },
            });
        }));

    private static JsonObject Token(string path, long? seconds = null, string? audience = null)
    {
        var token = new JsonObject { ["path"] = path };
        if (seconds is { } s)
        {
            token["expirationSeconds"] = s;
        }

        if (audience is not null)
        {
            token["audience"] = audience;
        }

        return new JsonObject { ["serviceAccountToken"] = token };
    }

    [Fact]
    public async Task ForPod_AsksOncePerSource_BoundToThePod_AndReusesUntil80PercentOfTheLifetime()
    {
        var source = new CountingSource(_time);
        var tokens = new ServiceAccountTokens(source, _time);
        var pod = PodWithTokens(Token("token"), Token("vault", 7200, "vault"));

        var (first, refreshAt) = await tokens.ForPodAsync(pod, CancellationToken.None);

        Assert.Equal(2, source.Requests.Count);
        Assert.Equal(new TokenRequestSpec("default", "robot", null, 3600, "reader", pod.Uid), source.Requests[0]);
        Assert.Equal(new TokenRequestSpec("default", "robot", "vault", 7200, "reader", pod.Uid), source.Requests[1]);
        Assert.Equal("token-1", System.Text.Encoding.UTF8.GetString(first[ServiceAccountTokens.Key("api", "token")]));
        Assert.Equal("token-2", System.Text.Encoding.UTF8.GetString(first[ServiceAccountTokens.Key("api", "vault")]));
        Assert.Equal(_time.GetUtcNow().AddSeconds(3600 * 0.8), refreshAt);

        _time.Advance(TimeSpan.FromSeconds(2879));
        await tokens.ForPodAsync(pod, CancellationToken.None);
        Assert.Equal(2, source.Requests.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        var (second, _) = await tokens.ForPodAsync(pod, CancellationToken.None);
        Assert.Equal(3, source.Requests.Count);
        Assert.Equal("token-3", System.Text.Encoding.UTF8.GetString(second[ServiceAccountTokens.Key("api", "token")]));
        Assert.Equal("token-2", System.Text.Encoding.UTF8.GetString(second[ServiceAccountTokens.Key("api", "vault")]));
    }

    [Fact]
    public async Task ForPod_LongLivedToken_IsRefreshedAfter24Hours()
    {
        var source = new CountingSource(_time);
        var tokens = new ServiceAccountTokens(source, _time);

        var (_, refreshAt) = await tokens.ForPodAsync(PodWithTokens(Token("token", 7 * 24 * 3600)), CancellationToken.None);

        Assert.Equal(_time.GetUtcNow().AddHours(24), refreshAt);
    }

    [Fact]
    public async Task Forget_DropsThePodsTokens()
    {
        var source = new CountingSource(_time);
        var tokens = new ServiceAccountTokens(source, _time);
        var pod = PodWithTokens(Token("token"));
        await tokens.ForPodAsync(pod, CancellationToken.None);

        tokens.Forget(pod.Uid);
        await tokens.ForPodAsync(pod, CancellationToken.None);

        Assert.Equal(2, source.Requests.Count);
    }

    [Fact]
    public async Task ForPod_BadSourcesAndRefusals_AreVolumeExceptions()
    {
        var source = new CountingSource(_time);
        var tokens = new ServiceAccountTokens(source, _time);

        var tooShort = await Assert.ThrowsAsync<VolumeException>(() => tokens.ForPodAsync(PodWithTokens(Token("token", 60)), CancellationToken.None));
        Assert.Contains("less than 10 minutes", tooShort.Message);
        var noPath = await Assert.ThrowsAsync<VolumeException>(() => tokens.ForPodAsync(PodWithTokens(new JsonObject { ["serviceAccountToken"] = new JsonObject() }), CancellationToken.None));
        Assert.Contains("no path", noPath.Message);

        source.Refusal = "failed to fetch token: serviceaccounts \"robot\" not found";
        var refused = await Assert.ThrowsAsync<VolumeException>(() => tokens.ForPodAsync(PodWithTokens(Token("token")), CancellationToken.None));
        Assert.Contains("not found", refused.Message);

        var offline = new ServiceAccountTokens(null, _time);
        await Assert.ThrowsAsync<VolumeException>(() => offline.ForPodAsync(PodWithTokens(Token("token")), CancellationToken.None));
        var (none, refreshAt) = await offline.ForPodAsync(PodView.Parse(TestPods.Pod("plain", TestPods.Container("c", "true"))), CancellationToken.None);
        Assert.Empty(none);
        Assert.Equal(DateTimeOffset.MaxValue, refreshAt);
    }
}
