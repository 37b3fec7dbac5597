using Edge.Cli;

namespace Edge.Cli.Tests;

public class ConfigFileTests
{
    private static readonly OptionSpec[] Schema =
    [
        new("config", OptionKind.String, "config") { AllowedInConfigFile = false },
        new("port", OptionKind.Int, "port"),
        new("debug", OptionKind.Bool, "debug"),
        new("san", OptionKind.List, "sans"),
        new("name", OptionKind.String, "name") { Validate = v => v.Contains(' ') ? "must not contain spaces" : null },
    ];

    private static ConfigFile Parse(string yaml) => ConfigFile.Parse("/etc/x.yaml", yaml, Schema);

    [Fact]
    public void Parse_AllKinds_ReadAsValues()
    {
        var file = Parse("""
            # a comment
            port: 8443
            debug: true
            san:
              - a.example
              - 10.0.0.1
            name: "edge-1"
            """);

        Assert.Equal(["8443"], file.Get("port"));
        Assert.Equal(["true"], file.Get("debug"));
        Assert.Equal(["a.example", "10.0.0.1"], file.Get("san"));
        Assert.Equal(["edge-1"], file.Get("name"));
        Assert.Null(file.Get("absent"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void Parse_EmptyFile_SetsNothing(string yaml)
    {
        Assert.Null(Parse(yaml).Get("port"));
    }

    [Theory]
    [InlineData("port: 1\nbogus: 2\n", "config file /etc/x.yaml:2: unknown key 'bogus'")]
    [InlineData("config: /x\n", "config file /etc/x.yaml:1: unknown key 'config'")]
    [InlineData("port: abc\n", "config file /etc/x.yaml:1: key 'port': 'abc' is not a whole number")]
    [InlineData("debug: maybe\n", "config file /etc/x.yaml:1: key 'debug': 'maybe' is not true or false")]
    [InlineData("name: a b\n", "config file /etc/x.yaml:1: key 'name': must not contain spaces")]
    [InlineData("port: [1, 2]\n", "config file /etc/x.yaml:1: key 'port': takes one value, not a list")]
    [InlineData("port:\n  a: 1\n", "config file /etc/x.yaml:1: key 'port': takes a value, not a mapping")]
    [InlineData("- a\n- b\n", "config file /etc/x.yaml:1: expected a mapping of option names to values")]
    [InlineData("a: 1\n---\nb: 2\n", "config file /etc/x.yaml: holds 2 YAML documents; expected one")]
    public void Parse_BadContent_NamesLineKeyAndReason(string yaml, string message)
    {
        Assert.Equal(message, Assert.Throws<CliException>(() => Parse(yaml)).Message);
    }

    [Theory]
    [InlineData("port: [1\n")]
    [InlineData("port: 1\n  bad indent: 2\n")]
    [InlineData("port: 1\nport: 2\n")]
    [InlineData("\"unterminated: 1\n")]
    public void Parse_MalformedYaml_RefusedWithLine(string yaml)
    {
        var e = Assert.Throws<CliException>(() => Parse(yaml));

        Assert.Matches(@"^config file /etc/x\.yaml:\d+: malformed YAML: \S", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
