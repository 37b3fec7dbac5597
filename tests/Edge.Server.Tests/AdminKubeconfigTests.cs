using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Edge.Server.Kubeconfig;
using Edge.Server.Pki;
using Edge.Server.Tokens;
using Microsoft.Extensions.Time.Testing;
using YamlDotNet.RepresentationModel;

namespace Edge.Server.Tests;

public sealed class AdminKubeconfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-kc-").FullName;
    private readonly ClusterPki _pki;

    public AdminKubeconfigTests() =>
        _pki = ClusterPki.LoadOrCreate(new ServerPaths(_dir), new ServingNames(["localhost"], [IPAddress.Loopback]), new FakeTimeProvider(DateTimeOffset.UtcNow));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Render_ParsesAsYamlWithInlineCredentialsThatMatchThePki()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(AdminKubeconfig.Render("https://127.0.0.1:6443", _pki.Authority, _pki.Admin)));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var cluster = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)root["clusters"])[0])["cluster"];
        var user = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)root["users"])[0])["user"];
        Assert.Equal("https://127.0.0.1:6443", cluster["server"].ToString());
        Assert.Equal("default", root["current-context"].ToString());
        var ca = X509Certificate2.CreateFromPem(Decode(cluster["certificate-authority-data"]));
        Assert.Equal(_pki.Authority.Thumbprint, ca.Thumbprint);
        var admin = X509Certificate2.CreateFromPem(Decode(user["client-certificate-data"]), Decode(user["client-key-data"]));
        Assert.Equal(_pki.Admin.Thumbprint, admin.Thumbprint);
        Assert.True(admin.HasPrivateKey);
    }

    [Theory]
    [InlineData("0.0.0.0", 6443, "https://127.0.0.1:6443")]
    [InlineData("::", 7443, "https://127.0.0.1:7443")]
    [InlineData("192.0.2.10", 6443, "https://192.0.2.10:6443")]
    [InlineData("fd00::1", 6443, "https://[fd00::1]:6443")]
    public void LocalServerUrl_ForBindAddress(string bind, int port, string url)
    {
        Assert.Equal(url, AdminKubeconfig.LocalServerUrl(bind, port));
    }

    [Fact]
    public void ServerToken_CarriesHashOfCaPemAndSurvivesReload()
    {
        var paths = new ServerPaths(_dir);

        var token = ServerToken.LoadOrCreate(paths, _pki.AuthorityPem);

        Assert.Matches("^E10[0-9a-f]{64}::server\\.[0-9a-f]{32}$", token);
        Assert.Equal(ServerToken.CaHash(File.ReadAllText(paths.CaCertificate)), token[3..67]);
        Assert.Equal(token, ServerToken.LoadOrCreate(paths, _pki.AuthorityPem));
        Assert.Equal(token, ServerToken.Read(paths));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.TokenFile));
    }

    private static string Decode(YamlNode node) => Encoding.ASCII.GetString(Convert.FromBase64String(node.ToString()));
}
