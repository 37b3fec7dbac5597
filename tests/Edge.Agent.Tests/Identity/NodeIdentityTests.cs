using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Edge.Agent.Identity;

namespace Edge.Agent.Tests.Identity;

public sealed class NodeIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-identity-").FullName;
    private readonly TestAuthority _authority = new();

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Issue(ECDsa key, string node, DateTimeOffset notBefore, DateTimeOffset notAfter) => _authority.Issue(key, node, notBefore, notAfter);

    private NodeIdentity NewIdentity(string node = "pi-1", int days = 365) => _authority.NewIdentity(node, days);

    [Fact]
    public void SaveThenLoad_RoundTrips_KeyOwnerOnly()
    {
        using var identity = NewIdentity();
        identity.Save(_dir);

        using var loaded = NodeIdentity.TryLoad(_dir)!;

        var paths = new IdentityPaths(_dir);
        Assert.Equal("pi-1", loaded.NodeName);
        Assert.Equal(identity.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.Key));
        Assert.False(File.Exists(paths.NextKey));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(paths.Authority))), loaded.AuthorityHash);
    }

    [Fact]
    public void TryLoad_NothingJoined_IsNull() => Assert.Null(NodeIdentity.TryLoad(_dir));

    [Fact]
    public void TryLoad_CrashAfterCertificateBeforeKeyRename_FinishesTheSave()
    {
        using var old = NewIdentity();
        old.Save(_dir);
        using var renewed = NewIdentity();
        var paths = new IdentityPaths(_dir);
        File.WriteAllText(paths.NextKey, renewed.Key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(paths.Certificate, renewed.Certificate.ExportCertificatePem());

        using var loaded = NodeIdentity.TryLoad(_dir)!;

        Assert.Equal(renewed.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.False(File.Exists(paths.NextKey));
    }

    [Fact]
    public void TryLoad_CrashBeforeCertificate_KeepsTheOldPair()
    {
        using var old = NewIdentity();
        old.Save(_dir);
        using var renewed = NewIdentity();
        var paths = new IdentityPaths(_dir);
        File.WriteAllText(paths.NextKey, renewed.Key.ExportPkcs8PrivateKeyPem());

        using var loaded = NodeIdentity.TryLoad(_dir)!;

        Assert.Equal(old.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.False(File.Exists(paths.NextKey));
    }

    [Fact]
    public void Create_CertificateForAnotherKey_IsRefused()
    {
        using var other = NodeKeys.NewKey();
        var now = DateTimeOffset.UtcNow;
        var pem = Issue(other, "pi-1", now, now.AddDays(1));

        var error = Assert.Throws<AgentException>(() => NodeIdentity.Create(_authority.Certificate.ExportCertificatePem(), pem, NodeKeys.NewKey()));

        Assert.Contains("another key", error.Message);
    }

    [Theory]
    [InlineData(365, 200, false)]
    [InlineData(365, 340, true)] // 30 days is less than a third of a year
    [InlineData(3, 1, false)]
    [InlineData(3, 2.1, true)] // a third of three days
    public void IsDue_AThirdOrThirtyDaysLeft(int lifetimeDays, double elapsedDays, bool due)
    {
        var key = NodeKeys.NewKey();
        var now = DateTimeOffset.UtcNow;
        var start = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // certificates keep whole seconds
        using var identity = NodeIdentity.Create(_authority.Certificate.ExportCertificatePem(), Issue(key, "pi-1", start, start.AddDays(lifetimeDays)), key);

        Assert.Equal(due, NodeCertificateRenewal.IsDue(identity, start.AddDays(elapsedDays)));
    }
}
