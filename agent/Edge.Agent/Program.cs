using System.Runtime.InteropServices;
using Edge.Agent;
using Edge.Agent.Channel;
using Edge.Agent.Cli;
using Edge.Agent.Health;
using Edge.Agent.Identity;
using Edge.Agent.Images;
using Edge.Agent.Join;
using Edge.Agent.Run;
using Edge.Agent.Runtime.Images;
using Edge.Cli;

const string Executable = "edge-agent";

// The GC sizes its gen0 budget after the CPU's last-level cache: tens to hundreds of MB on x86
// servers and VMs, where the agent's steady churn (a CRI relist and a status per pod each second)
// then stays resident between collections (measured: 110 MB with 30 pods, 49 MB with 2 MiB).
// gen0size alone is only the budget's floor: under a burst of pod starts it still grew to 14 MB,
// so the ceiling (GCGen0MaxBudget) is set too. 512 KiB: with 30 pods the agent allocates about
// 1.2 MB/s, so a gen0 collection every half second over a live heap of a few MB, against 2 MiB
// that held 6 MB more anonymous memory (BENCHMARKS.md: 30 pods 33.2 → 25.8 MB, together with
// the arena limit below). 1 MiB regions
// instead of 4 MiB: each generation holds at least one region. glibc's malloc makes an arena per
// thread up to 8 per core, each kept warm; OpenSSL's few allocations need no more than two.
// The runtime reads these settings only from the environment, so `run` restarts itself with them once.
if (args.FirstOrDefault() == "run")
{
    Edge.Native.ProcessEnvironment.ReexecWith(
        ("DOTNET_GCgen0size", "80000"), ("DOTNET_GCGen0MaxBudget", "80000"), ("DOTNET_GCRegionSize", "100000"), ("MALLOC_ARENA_MAX", "2"));
}
try
{
    var commandLine = CommandLineParser.Parse(AgentCommands.Root, args);
    if (commandLine.HelpRequested)
    {
        Console.Out.Write(HelpText.Render(Executable, commandLine));
        return 0;
    }

    var environment = Environment.GetEnvironmentVariables();
    var configPath = AgentCommands.ConfigPath(commandLine, environment);
    if (commandLine.Command == AgentCommands.Join && !File.Exists(configPath))
    {
        // join writes the config file: on a first join the file it names does not exist yet.
        commandLine = commandLine with { Flags = commandLine.Flags.Where(f => f.Key != "config").ToDictionary() };
        environment.Remove(AgentCommands.Config.EnvironmentVariable);
    }

    var values = OptionValues.Resolve(commandLine, AgentCommands.ConfigSchema, environment, AgentCommands.DefaultConfigFile);
    switch (commandLine.CommandName)
    {
        case "version":
            Console.Out.WriteLine(BuildInfo.FromAssembly(typeof(AgentCommands).Assembly).Describe(Executable));
            return 0;

        case "join":
        {
            var server = commandLine.Arguments[0];
            if (!Uri.TryCreate(server, UriKind.Absolute, out var url) || url.Scheme != "https")
            {
                throw new CliException($"'{server}' is not an https:// server URL");
            }

            if (values.GetString("token") is not { } tokenText)
            {
                throw new CliException("join needs --token (print one on the server with `edge-server token`)");
            }

            JoinToken.TryParse(tokenText, out var token, out _);
            var nodeName = values.GetString("node-name") ?? Environment.MachineName.ToLowerInvariant();
            if (!AgentCommands.IsDnsSubdomain(nodeName))
            {
                throw new CliException($"the host name '{nodeName}' is not a valid node name; choose one with --node-name");
            }

            var options = new JoinOptions(
                url, token!, nodeName, values.GetList("node-label"), values.GetList("node-taint"),
                Path.GetFullPath(values.GetRequiredString("data-dir")), Path.GetFullPath(configPath));
            Console.Out.WriteLine(await JoinCommand.RunAsync(options, TimeProvider.System, CancellationToken.None));
            return 0;
        }

        case "run":
        {
            var server = values.GetString("server")
                ?? throw new CliException($"no server to run against: run `edge-agent join` first, or give --server (config file {configPath})");
            var imageGc = new ImageGcPolicy(values.GetInt("image-gc-high-threshold"), values.GetInt("image-gc-low-threshold"));
            if (imageGc.Problems() is [var imageGcProblem, ..])
            {
                throw new CliException(imageGcProblem);
            }

            var dataDir = Path.GetFullPath(values.GetRequiredString("data-dir"));
            NodeTls.TrustOnlyClusterAuthority(dataDir);
            using var identity = NodeIdentity.TryLoad(dataDir)
                ?? throw new AgentException($"{dataDir} holds no node identity: run `edge-agent join` first");
            using var stop = new CancellationTokenSource();
            // SIGTERM (systemd stop) and SIGINT end the loops; the handlers keep the runtime from
            // exiting under them so the process leaves with 0 after its last log line.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
            var build = BuildInfo.FromAssembly(typeof(AgentCommands).Assembly);
            var options = new RunOptions(
                new Uri(server), dataDir, "/", JoinCommand.KubernetesArchitecture(RuntimeInformation.OSArchitecture), build.GitVersion)
            {
                Health = new HealthOptions
                {
                    Eviction = EvictionThresholds.Parse(values.GetRequiredString("eviction-hard"), []),
                    MaxClockSkew = TimeSpan.FromSeconds(values.GetInt("max-clock-skew")),
                },
            };
            var log = new AgentLog("Edge.Agent.Run", Console.Error, TimeProvider.System);
            var (pauseOk, pauseLine) = EmbeddedPause.EnsureImage(ImageMirrorOptions.ForDataDir(dataDir).ImagesDir);
            (pauseOk ? (Action<string>)log.Info : log.Warn)(pauseLine);
            var runtime = new NodeRuntimeOptions(
                identity.NodeName, dataDir, values.GetRequiredString("pod-log-dir"), values.GetString("container-runtime-endpoint"), values.GetRequiredString("cni-bridge"))
            {
                ContainerLogMaxSize = Edge.Agent.Runtime.Pods.Quantity.Bytes(values.GetRequiredString("container-log-max-size")),
                ContainerLogMaxFiles = values.GetInt("container-log-max-files"),
                ImageGc = imageGc,
            };

            await new AgentServices(options, runtime, values.GetRequiredString("pod-manifest-path"), identity, build.GitVersion, TimeProvider.System).RunAsync(stop.Token);
            return 0;
        }

        case "images import":
            Console.Out.WriteLine(ImagesCommand.Import(Path.GetFullPath(commandLine.Arguments[0]), Path.GetFullPath(values.GetRequiredString("data-dir"))));
            return 0;

        case "images list":
        {
            var problems = new List<string>();
            Console.Out.WriteLine(ImagesCommand.List(Path.GetFullPath(values.GetRequiredString("data-dir")), problems));
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"{Executable}: skipping {problem}");
            }

            return problems.Count == 0 ? 0 : 1;
        }

        case "certificate renew":
        {
            var server = values.GetString("server")
                ?? throw new CliException($"no server to renew with: run `edge-agent join` first, or give --server (config file {configPath})");
            var dataDir = Path.GetFullPath(values.GetRequiredString("data-dir"));
            using var current = NodeIdentity.TryLoad(dataDir)
                ?? throw new AgentException($"{dataDir} holds no node identity: run `edge-agent join` first");
            var (identity, renewed) = await new NodeCertificateRenewal(dataDir, new Uri(server), TimeProvider.System)
                .RenewIfDueAsync(current, values.GetBool("force"), CancellationToken.None);
            using (identity == current ? null : identity)
            {
                var notAfter = identity.Certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
                Console.Out.WriteLine(renewed
                    ? $"renewed the certificate of node {identity.NodeName}; valid until {notAfter}"
                    : $"the certificate of node {identity.NodeName} is not due for renewal (valid until {notAfter}); --force renews anyway");
            }

            return 0;
        }
    }

    // Running pods arrives with the agent itself.
    Console.Error.WriteLine($"{Executable}: '{commandLine.CommandName}' is not available in this build yet");
    return 1;
}
catch (CliException e)
{
    Console.Error.WriteLine($"{Executable}: {e.Message}");
    return 2;
}
catch (AgentException e)
{
    Console.Error.WriteLine($"{Executable}: {e.Message}");
    return 1;
}
