using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Edge.ApiServer.Authentication;
using Microsoft.Extensions.Time.Testing;

namespace Edge.ApiServer.Tests.Security;

public sealed class ServiceAccountTokensTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T08:00:00Z"));

    public void Dispose() => _key.Dispose();

    private ServiceAccountTokens Tokens => new(_key, _time);

    private ServiceAccountClaims Claims(TimeSpan lifetime, params string[] audiences) => new()
    {
        Namespace = "shop",
        ServiceAccountName = "robot",
        ServiceAccountUid = "sa-uid",
        Audiences = audiences.Length == 0 ? [ServiceAccountTokens.DefaultIssuer] : audiences,
        IssuedAt = _time.GetUtcNow(),
        Expires = _time.GetUtcNow() + lifetime,
        PodName = "web-0",
        PodUid = "pod-uid",
        NodeName = "pi-7",
        Id = "jti-1",
    };

    [Fact]
    public void Issued_Token_ValidatesWithEveryClaim()
    {
        var token = Tokens.Issue(Claims(TimeSpan.FromHours(1)));
        var claims = Tokens.Validate(token, out var error);
        Assert.True(claims is not null, error);
        Assert.Equal("system:serviceaccount:shop:robot", claims.UserName);
        Assert.Equal(("sa-uid", "web-0", "pod-uid", "pi-7", "jti-1"), (claims.ServiceAccountUid, claims.PodName, claims.PodUid, claims.NodeName, claims.Id));
        Assert.True(ServiceAccountTokens.LooksLikeJwt(token));
    }

    [Fact]
    public void Expired_Token_IsRefused_AfterTheLeeway()
    {
        var token = Tokens.Issue(Claims(TimeSpan.FromMinutes(10)));
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(59));
        Assert.NotNull(Tokens.Validate(token, out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(Tokens.Validate(token, out var error));
        Assert.Equal("token has expired", error);
    }

    [Fact]
    public void Token_ForAnotherAudience_IsRefused()
    {
        var token = Tokens.Issue(Claims(TimeSpan.FromHours(1), "vault"));
        Assert.Null(Tokens.Validate(token, out var error));
        Assert.Contains("not for this API server", error);
    }

    [Fact]
    public void Tampered_Payload_OrAnotherKey_OrAnotherAlgorithm_IsRefused()
    {
        var token = Tokens.Issue(Claims(TimeSpan.FromHours(1)));
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("robot", "admin");
        var tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
        Assert.Null(Tokens.Validate(tampered, out var error));
        Assert.Equal("invalid signature", error);

        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Null(Tokens.Validate(new ServiceAccountTokens(other, _time).Issue(Claims(TimeSpan.FromHours(1))), out error));
        Assert.Equal("invalid signature", error);

        foreach (var alg in new[] { "none", "HS256", "RS256" })
        {
            var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}"}"""));
            Assert.Null(Tokens.Validate(header + "." + parts[1] + "." + parts[2], out error));
            Assert.Equal("unsupported signing algorithm", error);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c")]
    [InlineData("eyJ.eyJ.%%%")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AAAA")]
    public void Garbage_IsRefused_WithoutThrowing(string token) => Assert.Null(Tokens.Validate(token, out _));

    [Fact]
    public void Token_WithoutServiceAccountClaims_IsRefused()
    {
        var header = Base64Url.EncodeToString("""{"alg":"ES256"}"""u8);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"iss":"{{ServiceAccountTokens.DefaultIssuer}}","aud":"{{ServiceAccountTokens.DefaultIssuer}}","exp":{{now + 600}},"sub":"admin"}"""));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.Null(Tokens.Validate(header + "." + payload + "." + Base64Url.EncodeToString(signature), out var error));
        Assert.Equal("token has no service account claims", error);
    }
}
