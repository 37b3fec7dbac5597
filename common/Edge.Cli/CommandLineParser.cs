namespace Edge.Cli;

/// <summary>
/// Parses <c>exe [command [subcommand]] [--flag value | --flag=value | -f value] [args] [-- args]</c>.
/// Flags are checked against the chosen command's options only, so a flag that belongs to another
/// command is refused instead of being silently ignored.
/// </summary>
public static class CommandLineParser
{
    public static ParsedCommandLine Parse(CommandSpec root, IReadOnlyList<string> args)
    {
        var path = new List<CommandSpec> { root };
        var index = 0;
        while (true)
        {
            var current = path[^1];
            if (current.Subcommands.Count == 0)
            {
                break;
            }

            var next = index < args.Count ? args[index] : null;
            var named = next is null ? null : current.Subcommands.FirstOrDefault(c => c.Name == next);
            if (named is not null)
            {
                path.Add(named);
                index++;
                continue;
            }

            if (next is "--help" or "-h" or "help")
            {
                return new ParsedCommandLine(path, Empty, [], HelpRequested: true);
            }

            var fallback = current.DefaultSubcommand is null
                ? null
                : current.Subcommands.First(c => c.Name == current.DefaultSubcommand);
            if (fallback is not null && (next is null || next.StartsWith('-')))
            {
                path.Add(fallback);
                continue;
            }

            var where = path.Count == 1 ? "" : $" {string.Join(' ', path.Skip(1).Select(c => c.Name))}";
            throw next is null
                ? new CliException($"missing command after '{root.Name}{where}' (one of: {string.Join(", ", current.Subcommands.Select(c => c.Name))})")
                : new CliException($"unknown command '{next}' (one of: {string.Join(", ", current.Subcommands.Select(c => c.Name))})");
        }

        var command = path[^1];
        var flags = new Dictionary<string, List<string>>();
        var arguments = new List<string>();
        var help = false;
        for (; index < args.Count; index++)
        {
            var arg = args[index];
            if (arg == "--")
            {
                arguments.AddRange(args.Skip(index + 1));
                break;
            }

            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                arguments.Add(arg);
                continue;
            }

            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            string? inlineValue = null;
            var equals = body.IndexOf('=');
            if (equals >= 0)
            {
                inlineValue = body[(equals + 1)..];
                body = body[..equals];
            }

            var spec = command.FindOption(body)
                ?? throw new CliException($"unknown flag '{arg.Split('=')[0]}' for '{string.Join(' ', path.Select(c => c.Name))}' (see --help)");
            var flagName = "--" + spec.Name;
            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (spec.Kind == OptionKind.Bool)
            {
                value = "true";
            }
            else if (index + 1 < args.Count)
            {
                value = args[++index];
            }
            else
            {
                throw new CliException($"flag {flagName} needs a value");
            }

            if (!flags.TryGetValue(spec.Name, out var list))
            {
                flags[spec.Name] = list = [];
            }

            if (spec.Kind != OptionKind.List && list.Count > 0)
            {
                throw new CliException($"flag {flagName} given more than once");
            }

            list.Add(value);
        }

        if (!help && arguments.Count != command.Arguments.Count)
        {
            var usage = string.Join(' ', command.Arguments.Select(a => a.ToUpperInvariant()));
            throw arguments.Count > command.Arguments.Count
                ? new CliException($"unexpected argument '{arguments[command.Arguments.Count]}' for '{string.Join(' ', path.Select(c => c.Name))}'")
                : new CliException($"'{string.Join(' ', path.Select(c => c.Name))}' needs {usage}");
        }

        return new ParsedCommandLine(
            path,
            flags.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value),
            arguments,
            help);
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Empty =
        new Dictionary<string, IReadOnlyList<string>>();
}
