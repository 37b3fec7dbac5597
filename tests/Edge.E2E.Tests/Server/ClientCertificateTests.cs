using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using Edge.E2E.Tests.Infrastructure;

namespace Edge.E2E.Tests.Server;

public sealed class ClientCertificateTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ClientCertificateOfAnotherCluster_IsRefusedAtHandshake()
    {
        await using var ours = await ServerProcess.StartAsync(_temp, "ours");
        await using var theirs = await ServerProcess.StartAsync(_temp, "theirs");
        var foreign = X509Certificate2.CreateFromPemFile(
            Path.Combine(theirs.DataDir, "tls", "client-admin.crt"), Path.Combine(theirs.DataDir, "tls", "client-admin.key"));
        var own = X509Certificate2.CreateFromPemFile(
            Path.Combine(ours.DataDir, "tls", "client-admin.crt"), Path.Combine(ours.DataDir, "tls", "client-admin.key"));

        using var withForeign = ours.CreateClient(foreign);
        using var withOwn = ours.CreateClient(own);
        using var anonymous = ours.CreateClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => withForeign.GetStringAsync("/readyz"));
        Assert.Equal("ok", await withOwn.GetStringAsync("/readyz"));
        Assert.Equal("ok", await anonymous.GetStringAsync("/readyz"));
    }
}
