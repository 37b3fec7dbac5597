using System.Text;

namespace Edge.Cli;

/// <summary>Renders <c>--help</c> from the same tables the parser uses.</summary>
public static class HelpText
{
    public static string Render(string executable, ParsedCommandLine commandLine)
    {
        var command = commandLine.Command;
        var name = commandLine.CommandName.Length == 0 ? executable : $"{executable} {commandLine.CommandName}";
        var text = new StringBuilder();
        text.Append("Usage: ").Append(name);
        if (command.Subcommands.Count > 0)
        {
            text.Append(" COMMAND");
        }

        if (command.Options.Count > 0)
        {
            text.Append(" [flags]");
        }

        foreach (var argument in command.Arguments)
        {
            text.Append(' ').Append(argument.ToUpperInvariant());
        }

        text.AppendLine().AppendLine().AppendLine(command.Summary);
        if (command.Subcommands.Count > 0)
        {
            text.AppendLine().AppendLine("Commands:");
            foreach (var sub in command.Subcommands)
            {
                var isDefault = sub.Name == command.DefaultSubcommand ? " (default)" : "";
                text.AppendLine($"  {sub.Name,-14}{sub.Summary}{isDefault}");
            }

            text.AppendLine().AppendLine($"Run '{name} COMMAND --help' for the flags of a command.");
        }

        if (command.Options.Count > 0)
        {
            text.AppendLine().AppendLine("Flags (each also as an EDGE_* variable and, for the server, a config file key):");
            foreach (var o in command.Options)
            {
                var flag = (o.ShortName is { } s ? $"-{s}, " : "    ") + "--" + o.Name + (o.Kind == OptionKind.Bool ? "" : " " + o.ValueName);
                var extra = o.Default is null ? "" : $" (default {o.Default})";
                text.AppendLine($"  {flag,-34}{o.Description}{extra} [{o.EnvironmentVariable}]");
            }
        }

        return text.ToString();
    }
}
