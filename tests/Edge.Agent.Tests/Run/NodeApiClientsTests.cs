using Edge.Agent.Run;
using Edge.Agent.Tests.Identity;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Agent.Tests.Run;

/// <summary>The long-lived API users follow a certificate renewal written to disk (<see cref="NodeApiClients"/>).</summary>
public sealed class NodeApiClientsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-apiclients-").FullName;
    private readonly TestAuthority _authority = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Current_AfterARenewalOnDisk_PresentsTheNewCertificate_OnceTheCheckIsDue()
    {
        using var joined = _authority.NewIdentity();
        joined.Save(_dir);
        using var clients = new NodeApiClients(new Uri("https://127.0.0.1:6443"), _dir, joined, _time);
        var first = clients.Current;
        Assert.Equal(joined.Certificate.Thumbprint, first.PresentedThumbprint);

        using var renewed = _authority.NewIdentity();
        renewed.Save(_dir);
        Assert.Same(first, clients.Current);

        _time.Advance(NodeApiClients.CheckInterval);
        var second = clients.Current;
        Assert.NotSame(first, second);
        Assert.Equal(renewed.Certificate.Thumbprint, second.PresentedThumbprint);

        _time.Advance(NodeApiClients.CheckInterval);
        Assert.Same(second, clients.Current);
    }

    [Fact]
    public void Current_IdentityGoneOrBroken_KeepsTheClientItHas()
    {
        using var joined = _authority.NewIdentity();
        using var clients = new NodeApiClients(new Uri("https://127.0.0.1:6443"), _dir, joined, _time);
        var first = clients.Current;

        _time.Advance(NodeApiClients.CheckInterval);
        Assert.Same(first, clients.Current);

        joined.Save(_dir);
        foreach (var file in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories))
        {
            File.WriteAllText(file, "garbage");
        }

        _time.Advance(NodeApiClients.CheckInterval);
        Assert.Same(first, clients.Current);
    }
}
