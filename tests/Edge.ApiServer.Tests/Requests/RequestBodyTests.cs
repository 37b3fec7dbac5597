using System.Text;
using Edge.Api.Errors;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Tests.Requests;

public sealed class RequestBodyTests
{
    [Theory]
    [InlineData("{")]
    [InlineData("[1,2")]
    [InlineData("\"\\ud800\"")]
    public void Parse_MalformedJson_IsBadRequest(string body)
    {
        var e = Assert.Throws<ApiException>(() => RequestBody.ParseObject(Encoding.UTF8.GetBytes(body), "application/json"));

        Assert.Equal(400, e.Status.Code);
    }

    [Fact]
    public void Parse_DeepNesting_IsBadRequest()
    {
        var body = new string('[', 5000) + new string(']', 5000);

        var e = Assert.Throws<ApiException>(() => RequestBody.Parse(Encoding.UTF8.GetBytes(body), "application/json"));

        Assert.Equal(400, e.Status.Code);
    }

    [Theory]
    [InlineData("a: [1\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("- 1\n- 2\n")]
    [InlineData("---\na: 1\n---\nb: 2\n")]
    public void Parse_BadYaml_IsBadRequest(string body)
    {
        var e = Assert.Throws<ApiException>(() => RequestBody.ParseObject(Encoding.UTF8.GetBytes(body), "application/yaml"));

        Assert.Equal(400, e.Status.Code);
    }

    [Fact]
    public void Parse_YamlAliasBomb_IsBadRequestNotAHang()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 12; i++)
        {
            yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        var e = Assert.Throws<ApiException>(() => RequestBody.ParseObject(Encoding.UTF8.GetBytes(yaml.ToString()), "application/yaml"));

        Assert.Equal(400, e.Status.Code);
    }

    [Fact]
    public void Parse_YamlAlias_IsExpanded()
    {
        var obj = RequestBody.ParseObject(Encoding.UTF8.GetBytes("a: &x {k: v}\nb: *x\n"), "application/yaml");

        Assert.Equal("""{"a":{"k":"v"},"b":{"k":"v"}}""", obj.ToJsonString());
    }

    [Fact]
    public void Parse_Yaml_TypesPlainScalarsAndKeepsQuotedStrings()
    {
        var obj = RequestBody.ParseObject(Encoding.UTF8.GetBytes("a: 1\nb: \"1\"\nc: true\nd: 1.5\ne: null\nf: text\n"), "application/yaml");

        Assert.Equal("""{"a":1,"b":"1","c":true,"d":1.5,"e":null,"f":"text"}""", obj.ToJsonString());
    }

    [Fact]
    public void Parse_RepeatedKey_LastWinsAsUpstream()
    {
        var obj = RequestBody.ParseObject(Encoding.UTF8.GetBytes("""{"a":1,"a":2,"m":{"n":"x","n":"y"}}"""), "application/json");

        Assert.Equal("""{"a":2,"m":{"n":"y"}}""", obj.ToJsonString());
    }
}
