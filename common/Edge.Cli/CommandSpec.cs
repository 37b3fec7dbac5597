namespace Edge.Cli;

/// <summary>A command (or subcommand) of an executable with the options it accepts.</summary>
public sealed record CommandSpec(string Name, string Summary)
{
    /// <summary>Options accepted after this command.</summary>
    public IReadOnlyList<OptionSpec> Options { get; init; } = [];

    /// <summary>Nested commands (<c>token create</c>).</summary>
    public IReadOnlyList<CommandSpec> Subcommands { get; init; } = [];

    /// <summary>Names of the positional arguments, all required, in order.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The subcommand used when none is named (edge-server's <c>server</c>).</summary>
    public string? DefaultSubcommand { get; init; }

    /// <summary>Finds the option with this long name or one-letter alias.</summary>
    public OptionSpec? FindOption(string name) =>
        Options.FirstOrDefault(o => o.Name == name || (name.Length == 1 && o.ShortName == name[0]));
}
