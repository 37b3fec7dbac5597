using Edge.Server.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Tokens;

public sealed class JoinTokenFileTests : IDisposable
{
    private const string ServerToken = "E10aaaa::server.serversecret";
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-tokens-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ServerPaths _paths;
    private readonly JoinTokenFile _file;

    public JoinTokenFileTests()
    {
        _paths = new ServerPaths(_dir);
        _file = new JoinTokenFile(_paths);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_StoresOnlyTheSecretsHash_InAnOwnerOnlyFile()
    {
        var (entry, secret) = _file.Create("for the barn", TimeSpan.FromHours(24), _time.GetUtcNow());

        var text = File.ReadAllText(_paths.JoinTokensFile);
        Assert.DoesNotContain(secret, text);
        Assert.Contains(JoinTokenFile.HashSecret(secret), text);
        Assert.Matches("^[a-z0-9]{6}$", entry.Id);
        Assert.Equal(32, secret.Length);
        Assert.Equal(_time.GetUtcNow().AddHours(24), entry.Expires);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_paths.JoinTokensFile));
        Assert.Equal("for the barn", Assert.Single(_file.List()).Description);
    }

    [Fact]
    public void Create_ZeroTtl_NeverExpires()
    {
        var (entry, _) = _file.Create(null, TimeSpan.Zero, _time.GetUtcNow());

        Assert.Null(entry.Expires);
        Assert.Equal("<forever>", JoinTokenFile.DescribeTtl(entry, _time.GetUtcNow().AddYears(10)));
    }

    [Fact]
    public void Delete_RemovesOnlyThatToken_UnknownIdIsFalse()
    {
        var (first, _) = _file.Create(null, TimeSpan.FromHours(1), _time.GetUtcNow());
        var (second, _) = _file.Create(null, TimeSpan.FromHours(1), _time.GetUtcNow());

        Assert.True(_file.Delete(first.Id));
        Assert.False(_file.Delete(first.Id));
        Assert.False(_file.Delete("nosuch"));
        Assert.Equal(second.Id, Assert.Single(_file.List()).Id);
    }

    [Fact]
    public void Create_ConcurrentRuns_LoseNothing()
    {
        Parallel.For(0, 8, _ => _file.Create(null, TimeSpan.FromHours(1), _time.GetUtcNow()));

        Assert.Equal(8, _file.List().Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public void Authenticate_ValidToken_ReturnsItsId_WrongSecretOrUnknownIdIsNull()
    {
        var authenticator = new JoinTokenAuthenticator(_paths, ServerToken, _time);
        var (entry, secret) = _file.Create(null, TimeSpan.FromHours(1), _time.GetUtcNow());

        Assert.Equal(entry.Id, authenticator.Authenticate($"{entry.Id}.{secret}"));
        Assert.Equal("server", authenticator.Authenticate("server.serversecret"));
        Assert.Null(authenticator.Authenticate($"{entry.Id}.{secret}x"));
        Assert.Null(authenticator.Authenticate("server.wrong"));
        Assert.Null(authenticator.Authenticate($"zzzzzz.{secret}"));
        Assert.Null(authenticator.Authenticate(secret));
        Assert.Null(authenticator.Authenticate(""));
    }

    [Fact]
    public void Authenticate_ExpiredOrDeletedToken_IsNull()
    {
        var authenticator = new JoinTokenAuthenticator(_paths, ServerToken, _time);
        var (expiring, expiringSecret) = _file.Create(null, TimeSpan.FromMinutes(5), _time.GetUtcNow());
        var (deleted, deletedSecret) = _file.Create(null, TimeSpan.Zero, _time.GetUtcNow());
        Assert.NotNull(authenticator.Authenticate($"{expiring.Id}.{expiringSecret}"));
        Assert.NotNull(authenticator.Authenticate($"{deleted.Id}.{deletedSecret}"));

        _time.Advance(TimeSpan.FromMinutes(5));
        _file.Delete(deleted.Id);

        Assert.Null(authenticator.Authenticate($"{expiring.Id}.{expiringSecret}"));
        Assert.Null(authenticator.Authenticate($"{deleted.Id}.{deletedSecret}"));
        Assert.Equal("server", authenticator.Authenticate("server.serversecret"));
    }

    [Fact]
    public void Authenticate_TokenCreatedAfterStart_IsSeen()
    {
        var authenticator = new JoinTokenAuthenticator(_paths, ServerToken, _time);
        Assert.Null(authenticator.Authenticate("abcdef.x"));

        var (entry, secret) = _file.Create(null, TimeSpan.FromHours(1), _time.GetUtcNow());

        Assert.Equal(entry.Id, authenticator.Authenticate($"{entry.Id}.{secret}"));
    }
}
