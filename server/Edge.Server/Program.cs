using System.Collections;
using System.Diagnostics;
using Edge.Cli;
using Edge.Server;
using Edge.Server.Cli;
using Edge.Server.Encryption;
using Edge.Server.Hosting;
using Edge.Server.Kubeconfig;
using Edge.Server.Pki;
using Edge.Server.Storage;
using Edge.Server.Tokens;

var sinceExec = Stopwatch.StartNew();
const string Executable = "edge-server";
try
{
    var commandLine = CommandLineParser.Parse(ServerCommands.Root, args);
    if (commandLine.HelpRequested)
    {
        Console.Out.Write(HelpText.Render(Executable, commandLine));
        return 0;
    }

    IDictionary environment = Environment.GetEnvironmentVariables();
    var values = OptionValues.Resolve(commandLine, ServerCommands.ConfigSchema, environment, ServerCommands.DefaultConfigFile);
    var build = BuildInfo.FromAssembly(typeof(ServerOptions).Assembly);
    switch (commandLine.Command.Name)
    {
        case "version":
            Console.Out.WriteLine(build.Describe(Executable));
            return 0;

        case "show":
            Console.Out.WriteLine(ServerToken.Read(new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")))));
            return 0;

        case "create":
        {
            var paths = new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")));
            Duration.TryParse(values.GetRequiredString("ttl"), out var ttl);
            Console.Out.WriteLine(TokenCommands.Create(paths, values.GetString("description"), ttl, DateTimeOffset.UtcNow));
            return 0;
        }

        case "list":
            Console.Out.Write(TokenCommands.List(new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir"))), DateTimeOffset.UtcNow));
            return 0;

        case "delete":
        {
            var id = commandLine.Arguments[0];
            TokenCommands.Delete(new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir"))), id);
            Console.Out.WriteLine($"deleted join token {id}");
            return 0;
        }

        case "kubeconfig":
        {
            var paths = new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")));
            ClusterPki.LoadAuthorityCertificate(paths).Dispose();
            var authority = ClusterPki.Load(paths.CaCertificate, paths.CaKey);
            var admin = ClusterPki.Load(paths.AdminCertificate, paths.AdminKey);
            var url = values.GetString("server")
                ?? AdminKubeconfig.LocalServerUrl(values.GetRequiredString("bind-address"), values.GetInt("https-listen-port"));
            Console.Out.Write(AdminKubeconfig.Render(url, authority, admin));
            return 0;
        }

        case "save":
        {
            var paths = new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")));
            var file = Path.GetFullPath(commandLine.Arguments[0]);
            var revision = StoreCommands.Save(paths, file);
            Console.Out.WriteLine($"saved revision {revision} of {paths.StoreDir} to {file}");
            return 0;
        }

        case "restore":
        {
            var paths = new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")));
            var file = Path.GetFullPath(commandLine.Arguments[0]);
            var revision = StoreCommands.Restore(paths, file);
            Console.Out.WriteLine($"restored revision {revision} from {file} into {paths.StoreDir}");
            return 0;
        }

        case "status" or "rotate-keys":
        {
            var paths = new ServerPaths(Path.GetFullPath(values.GetRequiredString("data-dir")));
            var url = AdminKubeconfig.LocalServerUrl(values.GetRequiredString("bind-address"), values.GetInt("https-listen-port"));
            Console.Out.Write(await SecretsEncryptCommand.RunAsync(commandLine.Command.Name, paths, url));
            return 0;
        }

        default:
            return await ServerHost.RunAsync(ServerOptions.From(values), build, sinceExec);
    }
}
catch (CliException e)
{
    Console.Error.WriteLine($"{Executable}: {e.Message}");
    return 2;
}
catch (StartupException e)
{
    Console.Error.WriteLine($"{Executable}: {e.Message}");
    return 1;
}
