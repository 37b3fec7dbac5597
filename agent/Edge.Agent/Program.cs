using Edge.Agent.Cli;
using Edge.Cli;

const string Executable = "edge-agent";
try
{
    var commandLine = CommandLineParser.Parse(AgentCommands.Root, args);
    if (commandLine.HelpRequested)
    {
        Console.Out.Write(HelpText.Render(Executable, commandLine));
        return 0;
    }

    var values = OptionValues.Resolve(commandLine, AgentCommands.ConfigSchema, Environment.GetEnvironmentVariables(), AgentCommands.DefaultConfigFile);
    switch (commandLine.Command.Name)
    {
        case "version":
            Console.Out.WriteLine(BuildInfo.FromAssembly(typeof(AgentCommands).Assembly).Describe(Executable));
            return 0;

        case "join":
            var server = commandLine.Arguments[0];
            if (!Uri.TryCreate(server, UriKind.Absolute, out var url) || url.Scheme != "https")
            {
                throw new CliException($"'{server}' is not an https:// server URL");
            }

            if (values.GetString("token") is null)
            {
                throw new CliException("join needs --token (print one on the server with `edge-server token`)");
            }

            break;
    }

    // The options are checked above; joining and running pods arrive with the agent itself.
    Console.Error.WriteLine($"{Executable}: '{commandLine.CommandName}' is not available in this build yet");
    return 1;
}
catch (CliException e)
{
    Console.Error.WriteLine($"{Executable}: {e.Message}");
    return 2;
}
