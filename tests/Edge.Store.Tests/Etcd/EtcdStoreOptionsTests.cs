using Edge.Store.Etcd;

namespace Edge.Store.Tests.Etcd;

public sealed class EtcdStoreOptionsTests
{
    [Fact]
    public void Validate_GoodOptions_NoErrors()
    {
        var options = new EtcdStoreOptions { Endpoints = ["https://10.0.0.1:2379", "http://[::1]:2379/"], CertFile = "c.crt", KeyFile = "c.key" };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEachWithItsPath()
    {
        var options = new EtcdStoreOptions
        {
            Endpoints = ["https://ok:2379", "etcd:2379", "unix:///run/etcd.sock", "https://host:2379/v3"],
            CertFile = "client.crt",
            DialTimeout = TimeSpan.Zero,
        };

        var errors = options.Validate();

        Assert.Collection(
            errors,
            e => Assert.StartsWith("endpoints[1]: ", e),
            e => Assert.StartsWith("endpoints[2]: ", e),
            e => Assert.StartsWith("endpoints[3]: ", e),
            e => Assert.StartsWith("keyFile: ", e),
            e => Assert.StartsWith("dialTimeout: ", e));
    }

    [Fact]
    public void Validate_NoEndpoints_Error()
    {
        Assert.StartsWith("endpoints: ", Assert.Single(new EtcdStoreOptions().Validate()));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsStoreException()
    {
        var e = Assert.Throws<StoreException>(() => new EtcdStore(new EtcdStoreOptions { Endpoints = ["nonsense"] }));

        Assert.Contains("endpoints[0]", e.Message);
    }

    [Fact]
    public void Equals_SameValuesInOtherLists_Equal()
    {
        var a = new EtcdStoreOptions { Endpoints = ["http://a:2379", "http://b:2379"], CaFile = "ca.crt" };
        var b = new EtcdStoreOptions { Endpoints = new List<string> { "http://a:2379", "http://b:2379" }, CaFile = "ca.crt" };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Endpoints = ["http://b:2379", "http://a:2379"] });
    }
}
