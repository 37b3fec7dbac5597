using Edge.Cli;

namespace Edge.Cli.Tests;

public class CommandLineParserTests
{
    private static readonly OptionSpec Port = new("port", OptionKind.Int, "port") { Default = "6443" };
    private static readonly OptionSpec Name = new("name", OptionKind.String, "name") { ShortName = 'n' };
    private static readonly OptionSpec San = new("san", OptionKind.List, "sans");
    private static readonly OptionSpec Debug = new("debug", OptionKind.Bool, "debug");

    private static readonly CommandSpec Serve = new("serve", "serve") { Options = [Port, Name, San, Debug] };
    private static readonly CommandSpec Save = new("save", "save") { Arguments = ["file"] };
    private static readonly CommandSpec Snapshot = new("snapshot", "snapshots") { Subcommands = [Save] };
    private static readonly CommandSpec Root = new("tool", "tool")
    {
        Subcommands = [Serve, Snapshot],
        DefaultSubcommand = "serve",
    };

    [Fact]
    public void Parse_NoCommand_UsesDefaultSubcommand()
    {
        var parsed = CommandLineParser.Parse(Root, ["--port", "7000"]);

        Assert.Equal("serve", parsed.Command.Name);
        Assert.Equal(["7000"], parsed.Flags["port"]);
    }

    [Fact]
    public void Parse_InlineShortAndBareBoolFlags_AllRecognised()
    {
        var parsed = CommandLineParser.Parse(Root, ["serve", "--port=1", "-n", "a", "--debug", "--san", "x,y", "--san=z"]);

        Assert.Equal(["1"], parsed.Flags["port"]);
        Assert.Equal(["a"], parsed.Flags["name"]);
        Assert.Equal(["true"], parsed.Flags["debug"]);
        Assert.Equal(["x,y", "z"], parsed.Flags["san"]);
    }

    [Fact]
    public void Parse_UnknownFlag_NamesTheFlag()
    {
        var e = Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["--bogus=1"]));

        Assert.Contains("unknown flag '--bogus'", e.Message);
    }

    [Fact]
    public void Parse_FlagOfAnotherCommand_IsRefused()
    {
        var e = Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["snapshot", "save", "--port", "1", "f"]));

        Assert.Contains("'--port'", e.Message);
        Assert.Contains("tool snapshot save", e.Message);
    }

    [Fact]
    public void Parse_FlagWithoutValue_SaysItNeedsOne()
    {
        var e = Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["serve", "--name"]));

        Assert.Equal("flag --name needs a value", e.Message);
    }

    [Fact]
    public void Parse_SingleValueFlagTwice_IsRefused()
    {
        Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["--name", "a", "--name", "b"]));
    }

    [Fact]
    public void Parse_UnknownCommand_ListsTheKnownOnes()
    {
        var e = Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["bogus"]));

        Assert.Contains("unknown command 'bogus'", e.Message);
        Assert.Contains("serve, snapshot", e.Message);
    }

    [Fact]
    public void Parse_NestedCommandArguments_CheckedForCount()
    {
        Assert.Equal(["f.db"], CommandLineParser.Parse(Root, ["snapshot", "save", "f.db"]).Arguments);
        Assert.Contains("needs FILE", Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["snapshot", "save"])).Message);
        Assert.Contains("unexpected argument 'b'", Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["snapshot", "save", "a", "b"])).Message);
        Assert.Contains("missing command", Assert.Throws<CliException>(() => CommandLineParser.Parse(Root, ["snapshot"])).Message);
    }

    [Fact]
    public void Parse_Help_IsReportedNotRun()
    {
        Assert.True(CommandLineParser.Parse(Root, ["--help"]).HelpRequested);
        var serveHelp = CommandLineParser.Parse(Root, ["serve", "-h"]);
        Assert.True(serveHelp.HelpRequested);
        Assert.Contains("--port", HelpText.Render("tool", serveHelp));
        Assert.Contains("EDGE_PORT", HelpText.Render("tool", serveHelp));
    }
}
