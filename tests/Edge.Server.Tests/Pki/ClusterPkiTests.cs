using System.Net;
using System.Security.Cryptography.X509Certificates;
using Edge.Server.Pki;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Server.Tests.Pki;

public sealed class ClusterPkiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-pki-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly ServerPaths _paths;
    private readonly ServingNames _names = new(["localhost", "kubernetes.default.svc"], [IPAddress.Loopback]);

    public ClusterPkiTests() => _paths = new ServerPaths(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadOrCreate_FirstStart_CreatesChainedCertificatesWithPrivateKeyFilesOwnerOnly()
    {
        var pki = ClusterPki.LoadOrCreate(_paths, _names, _time);

        Assert.Equal(3, pki.Changes.Count);
        Assert.True(ClusterPki.IsIssuedBy(pki.Serving, pki.Authority, ClusterPki.ServerAuthOid));
        Assert.True(ClusterPki.IsIssuedBy(pki.Admin, pki.Authority, ClusterPki.ClientAuthOid));
        Assert.False(ClusterPki.IsIssuedBy(pki.Admin, pki.Authority, ClusterPki.ServerAuthOid));
        Assert.Equal("O=system:masters, CN=system:admin", pki.Admin.Subject);
        Assert.True(_names.CoveredBy(pki.Serving));
        foreach (var key in new[] { _paths.CaKey, _paths.ServingKey, _paths.AdminKey })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Fact]
    public void LoadOrCreate_Restart_ReusesEverything()
    {
        var first = ClusterPki.LoadOrCreate(_paths, _names, _time);
        _time.Advance(TimeSpan.FromDays(30));

        var second = ClusterPki.LoadOrCreate(_paths, _names, _time);

        Assert.Empty(second.Changes);
        Assert.Equal(first.Authority.Thumbprint, second.Authority.Thumbprint);
        Assert.Equal(first.Serving.Thumbprint, second.Serving.Thumbprint);
        Assert.Equal(first.Admin.Thumbprint, second.Admin.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_NewTlsSan_ReissuesServingFromSameCa()
    {
        var first = ClusterPki.LoadOrCreate(_paths, _names, _time);
        var wider = _names with { DnsNames = [.. _names.DnsNames, "edge.example"] };

        var second = ClusterPki.LoadOrCreate(_paths, wider, _time);

        Assert.Equal(first.Authority.Thumbprint, second.Authority.Thumbprint);
        Assert.NotEqual(first.Serving.Thumbprint, second.Serving.Thumbprint);
        Assert.Equal(first.Admin.Thumbprint, second.Admin.Thumbprint);
        Assert.Contains("edge.example", second.Serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void LoadOrCreate_LeafNearExpiry_IsRenewed()
    {
        var first = ClusterPki.LoadOrCreate(_paths, _names, _time);
        _time.Advance(ClusterPki.LeafLifetime - ClusterPki.RenewBefore + TimeSpan.FromDays(1));

        var second = ClusterPki.LoadOrCreate(_paths, _names, _time);

        Assert.Equal(first.Authority.Thumbprint, second.Authority.Thumbprint);
        Assert.NotEqual(first.Serving.Thumbprint, second.Serving.Thumbprint);
        Assert.NotEqual(first.Admin.Thumbprint, second.Admin.Thumbprint);
        Assert.True(second.Serving.NotAfter > first.Serving.NotAfter);
    }

    [Fact]
    public void LoadOrCreate_CaKeyWithoutCertificate_ReplacedAsInterruptedFirstStart()
    {
        Directory.CreateDirectory(_paths.TlsDir);
        File.WriteAllText(_paths.CaKey, "left over");

        var pki = ClusterPki.LoadOrCreate(_paths, _names, _time);

        Assert.Contains("created cluster CA", pki.Changes);
    }

    [Fact]
    public void LoadOrCreate_CaCertificateWithoutKey_RefusesToStart()
    {
        ClusterPki.LoadOrCreate(_paths, _names, _time);
        File.Delete(_paths.CaKey);

        var e = Assert.Throws<StartupException>(() => ClusterPki.LoadOrCreate(_paths, _names, _time));

        Assert.Contains("server-ca.key is missing", e.Message);
    }

    [Fact]
    public void LoadOrCreate_GarbageCertificate_RefusesWithFileName()
    {
        ClusterPki.LoadOrCreate(_paths, _names, _time);
        File.WriteAllText(_paths.ServingCertificate, "not a certificate");

        var e = Assert.Throws<StartupException>(() => ClusterPki.LoadOrCreate(_paths, _names, _time));

        Assert.Contains("serving.crt", e.Message);
    }

    [Fact]
    public void IsIssuedBy_CertificateOfAnotherCluster_IsFalse()
    {
        var ours = ClusterPki.LoadOrCreate(_paths, _names, _time);
        var otherDir = Directory.CreateTempSubdirectory("edge-pki-other-").FullName;
        try
        {
            var theirs = ClusterPki.LoadOrCreate(new ServerPaths(otherDir), _names, _time);

            Assert.False(ClusterPki.IsIssuedBy(theirs.Admin, ours.Authority, ClusterPki.ClientAuthOid));
        }
        finally
        {
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Fact]
    public void ForThisHost_IncludesLoopbackClusterNamesAndExtras()
    {
        var names = ServingNames.ForThisHost(["Edge.Example", "203.0.113.7"]);

        Assert.Contains("localhost", names.DnsNames);
        Assert.Contains("kubernetes.default.svc", names.DnsNames);
        Assert.Contains("edge.example", names.DnsNames);
        Assert.Contains(IPAddress.Loopback, names.Addresses);
        Assert.Contains(IPAddress.Parse("203.0.113.7"), names.Addresses);
    }
}
