namespace Edge.Cli;

/// <summary>What the command line said: which command, its flags as given, its arguments.</summary>
public sealed record ParsedCommandLine(
    IReadOnlyList<CommandSpec> Path,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Flags,
    IReadOnlyList<string> Arguments,
    bool HelpRequested)
{
    /// <summary>The command that runs (the last of the path).</summary>
    public CommandSpec Command => Path[^1];

    /// <summary>The words that name the command, without the executable (<c>token create</c>).</summary>
    public string CommandName => string.Join(' ', Path.Skip(1).Select(c => c.Name));
}
