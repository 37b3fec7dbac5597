using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Edge.Api.Meta;
using Edge.ApiServer;
using Edge.ApiServer.Audit;
using Edge.ApiServer.Health;
using Edge.ApiServer.Version;
using Edge.Cli;
using Edge.Controllers;
using Edge.Native;
using Edge.Server.Join;
using Edge.Server.Encryption;
using Edge.Server.Kubeconfig;
using Edge.Server.NodeHub;
using Edge.Server.Pki;
using Edge.Server.Scheduling;
using Edge.Server.Storage;
using Edge.Server.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Server.Hosting;

/// <summary>
/// Start order of the server: check the port, prepare the data dir and certificates, write the
/// admin kubeconfig, then serve. Everything that can be refused is refused before anything is
/// written, and every write is atomic, so a failed start leaves nothing half-done.
/// </summary>
public static class ServerHost
{
    public static async Task<int> RunAsync(ServerOptions options, BuildInfo build, Stopwatch sinceExec)
    {
        EnsurePortFree(options.BindAddress, options.HttpsListenPort);
        var paths = new ServerPaths(options.DataDir);
        CreateDataDir(paths.DataDir);

        using var loggerFactory = CreateLoggerFactory(options.LogLevel);
        var logger = loggerFactory.CreateLogger("edge-server");
        ServerLog.Starting(logger, build.GitVersion, paths.DataDir);

        TrustOnlyClusterAuthority(paths);

        // The store's lock is taken first: a second server on the same data dir stops here,
        // before it touches the certificates or the kubeconfig.
        await using var store = await StoreHost.OpenAsync(options, paths, logger);

        var pki = InDataDir(paths, () => ClusterPki.LoadOrCreate(paths, ServingNames.ForThisHost(options.TlsSans), TimeProvider.System));
        foreach (var change in pki.Changes)
        {
            ServerLog.CertificateChange(logger, change);
        }

        var serverToken = InDataDir(paths, () => ServerToken.LoadOrCreate(paths, pki.AuthorityPem));
        WriteKubeconfig(options, pki);
        ServerLog.WroteKubeconfig(logger, options.KubeconfigPath);

        var encryption = await SecretsEncryption.StartAsync(store.Store, paths, options.SecretsEncryption, loggerFactory.CreateLogger("secrets-encryption"), TimeProvider.System, CancellationToken.None);
        await using var api = new ApiServices(encryption.Store, loggerFactory, TimeProvider.System);
        await api.StartAsync(AdvertiseAddress(options.BindAddress), options.HttpsListenPort, CancellationToken.None);
        await using var compactor = StoreCompactor.Start(store.Store, loggerFactory.CreateLogger("compactor"));
        await using var controllers = new ControllerManager(api.Client, loggerFactory, TimeProvider.System, new ControllerOptions
        {
            NodeMonitorGracePeriod = options.NodeMonitorGracePeriod,
            NodeMonitorPeriod = options.NodeMonitorPeriod,
            ClusterCidr = options.ClusterCidr,
            RootCaBundle = pki.AuthorityPem,
        });
        var scheduler = new SchedulerService(controllers.Informers, loggerFactory, TimeProvider.System);
        controllers.Start(scheduler.RunAsync);

        var health = new HealthChecks();
        health.AddLiveness("ping", () => null);
        health.AddReadiness("store", () => null);
        using var serviceAccountKey = InDataDir(paths, () => ServiceAccountKey.LoadOrCreate(paths));
        await using var audit = options.AuditLogPath is { } auditPath ? OpenAuditLog(auditPath) : null;
        var security = api.CreateSecurity(serviceAccountKey, options.ApiLimits, audit);
        var handler = new ApiRequestHandler(health, new VersionEndpoint(ToVersionInfo(build)), security, api.Resources, loggerFactory.CreateLogger("api"));

        var join = JoinService.Create(paths, pki, serverToken, api.Client, options.NodeCertificateLifetime, new NodeConfig(
            options.ClusterCidr, api.Network.Cidr, api.Network.At(10).ToString(), PodCidr: ""), loggerFactory.CreateLogger("join"), TimeProvider.System);
        // The node channel follows the watch cache (started with the API above) and writes through the same registry.
        using var nodeHub = NodeChannelHub.Create(api.Registry, api.WatchCache, pki.Authority, loggerFactory.CreateLogger("node-hub"), TimeProvider.System);
        api.Resources.Logs = nodeHub;
        var app = BuildWebApplication(options, pki, loggerFactory, logger, handler, join, new SecretsEncryptionEndpoint(encryption, pki.Authority), nodeHub);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is AddressInUseException || e.InnerException is AddressInUseException)
        {
            throw new StartupException($"port {options.HttpsListenPort} is already in use on {options.BindAddress}", e);
        }

        ServerLog.Ready(logger, options.BindAddress.ToString(), options.HttpsListenPort, sinceExec.ElapsedMilliseconds);
        await app.WaitForShutdownAsync();
        ServerLog.Stopping(logger);
        await app.DisposeAsync();
        return 0;
    }

    private static WebApplication BuildWebApplication(
        ServerOptions options, ClusterPki pki, ILoggerFactory loggerFactory, ILogger logger, ApiRequestHandler handler, JoinService join,
        SecretsEncryptionEndpoint secretsEncryption, NodeChannelHub nodeHub)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = options.DataDir });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = CreateListenSocket);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Limits that keep one client from exhausting the server: slow or huge headers, too
            // many connections or streams. Bodies are capped at 3 MiB by the API itself (413).
            kestrel.Limits.MaxConcurrentConnections = 4096;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 4096;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
            kestrel.Limits.MaxRequestLineSize = 16 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 250;
            var https = new HttpsConnectionAdapterOptions
            {
                ServerCertificate = pki.Serving,
                ServerCertificateChain = [pki.Authority],
                SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                // Client certificates are optional at the TLS layer (health endpoints are
                // anonymous); a presented one must chain to our CA, never to the system store.
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                CheckCertificateRevocation = false,
                ClientCertificateValidation = (certificate, _, _) => ValidateClient(certificate, pki.Authority, logger),
            };
            void Configure(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https);
            }

            if (options.BindAddress.Equals(IPAddress.Any))
            {
                kestrel.ListenAnyIP(options.HttpsListenPort, Configure);
            }
            else
            {
                kestrel.Listen(options.BindAddress, options.HttpsListenPort, Configure);
            }
        });

        var app = builder.Build();
        // Open node streams would hold up the shutdown: they end first, and the agents reconnect.
        app.Lifetime.ApplicationStopping.Register(nodeHub.Stop);
        app.Use(nodeHub.InvokeAsync);
        app.Use(join.InvokeAsync);
        app.Use(secretsEncryption.InvokeAsync);
        app.Run(handler.HandleAsync);
        return app;
    }

    /// <summary>
    /// Largest TCP segment the server's connections use (TCP_MAXSEG on the listening socket,
    /// inherited by every accepted connection and announced in its SYN-ACK).
    /// </summary>
    /// <remarks>
    /// Only loopback (MTU 65,536) is affected: Ethernet's 1,460 and jumbo frames' 8,948 are smaller.
    /// On loopback the segment would be 65,483 bytes, larger than a client's usual receive window
    /// (~50–95 KB from tcp_rmem's 128 KiB default). Linux sends nothing while the window is below
    /// one segment (sender-side silly-window avoidance), and the client announces its reopened
    /// window only once it has doubled, so a burst of watch events to a co-located HTTP/2 client
    /// waited for TCP's ~200 ms window probe; measured as 100–300 ms stalls in the watch fan-out
    /// benchmark (tcpdump: no server segment until the probe, which carried exactly the window).
    /// </remarks>
    internal const int MaxSegmentSize = 16 * 1024;

    private static Socket CreateListenSocket(EndPoint endpoint)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        if (endpoint is IPEndPoint)
        {
            const int IpProtoTcp = 6, TcpMaxSeg = 2;
            socket.SetRawSocketOption(IpProtoTcp, TcpMaxSeg, BitConverter.GetBytes(MaxSegmentSize));
        }

        return socket;
    }

    private static AuditLog OpenAuditLog(string path)
    {
        try
        {
            return new AuditLog(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write audit log {path}: {PathProblem.Describe(path, e)}", e);
        }
    }

    private static bool ValidateClient(X509Certificate2 certificate, X509Certificate2 authority, ILogger logger)
    {
        if (ClusterPki.IsIssuedBy(certificate, authority, ClusterPki.ClientAuthOid))
        {
            return true;
        }

        ServerLog.ClientCertificateRefused(logger, certificate.Subject, "does not chain to the cluster CA for client use");
        return false;
    }

    /// <summary>
    /// Points OpenSSL's default trust store at the cluster CA. The server validates only
    /// certificates of its own cluster, and loading the system store costs about 100 ms of
    /// start-up and several MB of memory (see BENCHMARKS.md). Even a chain built with custom root
    /// trust makes .NET read the whole system directory, so the defaults themselves must change.
    /// Nothing in the server talks to a peer that a public CA vouches for.
    /// </summary>
    private static void TrustOnlyClusterAuthority(ServerPaths paths)
    {
        ProcessEnvironment.SetForNativeCode("SSL_CERT_FILE", paths.CaCertificate);
        ProcessEnvironment.SetForNativeCode("SSL_CERT_DIR", paths.TlsDir);
    }

    private static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(logging =>
    {
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft", level < LogLevel.Warning ? LogLevel.Warning : level);
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    });

    /// <summary>Refuses a taken port before anything is written to disk.</summary>
    private static void EnsurePortFree(IPAddress address, int port)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new StartupException($"port {port} is already in use on {address}", e);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new StartupException($"cannot listen on {address}: no such address on this host", e);
        }
        catch (SocketException e)
        {
            throw new StartupException($"cannot listen on {address} port {port}: {e.Message}", e);
        }
    }

    private static void CreateDataDir(string dataDir)
    {
        try
        {
            Directory.CreateDirectory(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Creating an existing directory succeeds even where we cannot write: prove we can.
            var probe = Path.Combine(dataDir, $".write-test.{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot use data dir {dataDir}: {PathProblem.Describe(dataDir, e)}", e);
        }
    }

    private static T InDataDir<T>(ServerPaths paths, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write to data dir {paths.DataDir}: {PathProblem.Describe(paths.DataDir, e)}", e);
        }
    }

    private static void WriteKubeconfig(ServerOptions options, ClusterPki pki)
    {
        var url = AdminKubeconfig.LocalServerUrl(options.BindAddress.ToString(), options.HttpsListenPort);
        try
        {
            var directory = Path.GetDirectoryName(options.KubeconfigPath)!;
            Directory.CreateDirectory(directory);
            AtomicFile.WriteText(options.KubeconfigPath, AdminKubeconfig.Render(url, pki.Authority, pki.Admin), options.KubeconfigMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write kubeconfig {options.KubeconfigPath}: {PathProblem.Describe(options.KubeconfigPath, e)}", e);
        }
    }

    /// <summary>The address other parts of the cluster reach this server at: the bind address, or the host's first non-loopback IPv4.</summary>
    private static string AdvertiseAddress(IPAddress bindAddress)
    {
        if (!bindAddress.Equals(IPAddress.Any))
        {
            return bindAddress.ToString();
        }

        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return (address ?? IPAddress.Loopback).ToString();
    }

    private static VersionInfo ToVersionInfo(BuildInfo build)
    {
        var parts = build.KubernetesVersion.Split('.');
        return new VersionInfo(
            Major: parts[0],
            Minor: parts.Length > 1 ? parts[1] : "0",
            GitVersion: build.GitVersion,
            GitCommit: build.GitCommit,
            GitTreeState: build.GitTreeState,
            BuildDate: build.BuildDate,
            GoVersion: "none",
            Compiler: "dotnet-nativeaot",
            Platform: build.Platform);
    }
}
