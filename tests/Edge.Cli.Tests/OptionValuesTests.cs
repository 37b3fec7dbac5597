using System.Collections;
using Edge.Cli;

namespace Edge.Cli.Tests;

public sealed class OptionValuesTests : IDisposable
{
    private static readonly OptionSpec Config = new("config", OptionKind.String, "config") { AllowedInConfigFile = false, EnvironmentVariableOverride = "EDGE_CONFIG_FILE" };
    private static readonly OptionSpec Port = new("port", OptionKind.Int, "port")
    {
        Default = "6443",
        Validate = v => int.Parse(v) is > 0 and < 65536 ? null : $"'{v}' is not a port number (1-65535)",
    };
    private static readonly OptionSpec Dir = new("dir", OptionKind.String, "dir") { Default = "/var/lib/x" };
    private static readonly OptionSpec San = new("san", OptionKind.List, "sans");
    private static readonly CommandSpec Serve = new("serve", "serve") { Options = [Config, Port, Dir, San] };
    private static readonly CommandSpec Root = new("tool", "tool") { Subcommands = [Serve], DefaultSubcommand = "serve" };

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OptionValues Resolve(string[] args, IDictionary? env = null, string? defaultConfig = null) =>
        OptionValues.Resolve(CommandLineParser.Parse(Root, args), Serve.Options, env ?? new Hashtable(), defaultConfig);

    private string WriteConfig(string text)
    {
        var path = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Resolve_FlagBeatsEnvBeatsFileBeatsDefault()
    {
        var config = WriteConfig("port: 3000\ndir: /from/file\nsan: [a, b]\n");
        var env = new Hashtable { ["EDGE_PORT"] = "2000", ["EDGE_DIR"] = "/from/env" };

        var values = Resolve(["--config", config, "--port", "1000"], env);

        Assert.Equal(1000, values.GetInt("port"));
        Assert.Equal("--port", values.SourceOf("port"));
        Assert.Equal("/from/env", values.GetString("dir"));
        Assert.Equal("EDGE_DIR", values.SourceOf("dir"));
        Assert.Equal(["a", "b"], values.GetList("san"));
        Assert.StartsWith("config file", values.SourceOf("san"));
    }

    [Fact]
    public void Resolve_NothingSet_UsesDefaults()
    {
        var values = Resolve([]);

        Assert.Equal(6443, values.GetInt("port"));
        Assert.Equal("/var/lib/x", values.GetString("dir"));
        Assert.Empty(values.GetList("san"));
    }

    [Fact]
    public void Resolve_ListFromFlagsAndCommas_AllItemsKept()
    {
        Assert.Equal(["a", "b", "c"], Resolve(["--san", "a, b", "--san", "c"]).GetList("san"));
        Assert.Equal(["x", "y"], Resolve([], new Hashtable { ["EDGE_SAN"] = "x,y" }).GetList("san"));
    }

    [Theory]
    [InlineData(new[] { "--port", "abc" }, "--port: 'abc' is not a whole number")]
    [InlineData(new[] { "--port", "70000" }, "--port: '70000' is not a port number (1-65535)")]
    public void Resolve_BadFlagValue_NamesFlagAndReason(string[] args, string message)
    {
        Assert.Equal(message, Assert.Throws<CliException>(() => Resolve(args)).Message);
    }

    [Fact]
    public void Resolve_BadEnvValue_NamesVariable()
    {
        var e = Assert.Throws<CliException>(() => Resolve([], new Hashtable { ["EDGE_PORT"] = "x" }));

        Assert.Equal("EDGE_PORT: 'x' is not a whole number", e.Message);
    }

    [Fact]
    public void Resolve_ExplicitConfigMissing_IsAnError()
    {
        var missing = Path.Combine(_dir, "nope.yaml");

        var e = Assert.Throws<CliException>(() => Resolve(["--config", missing]));

        Assert.Equal($"cannot read config file {missing}: no such file", e.Message);
    }

    [Fact]
    public void Resolve_DefaultConfigMissing_IsFine()
    {
        Assert.Equal(6443, Resolve([], defaultConfig: Path.Combine(_dir, "absent.yaml")).GetInt("port"));
    }

    [Fact]
    public void Resolve_DefaultConfigPresent_IsRead()
    {
        Assert.Equal(4000, Resolve([], defaultConfig: WriteConfig("port: 4000")).GetInt("port"));
    }

    [Fact]
    public void Resolve_ConfigFromEnvironment_IsRead()
    {
        var config = WriteConfig("port: 5000");

        Assert.Equal(5000, Resolve([], new Hashtable { ["EDGE_CONFIG_FILE"] = config }).GetInt("port"));
    }

    [Fact]
    public void Resolve_ConfigIsDirectory_SaysSo()
    {
        var e = Assert.Throws<CliException>(() => Resolve(["--config", _dir]));

        Assert.Equal($"cannot read config file {_dir}: is a directory", e.Message);
    }
}
