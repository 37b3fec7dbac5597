using System.Security.Cryptography;
using Edge.Api.Clients;
using Edge.ApiServer.Audit;
using Edge.ApiServer.Authentication;
using Edge.ApiServer.Authorization;
using Edge.ApiServer.Limits;
using Edge.ApiServer.Admission;
using Edge.ApiServer.Clients;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Resources;
using Edge.ApiServer.Watch;
using Edge.Store;
using Microsoft.Extensions.Logging;

namespace Edge.ApiServer;

/// <summary>
/// The API server's parts over one store, in start order: the watch cache follows the store, the
/// cluster's built-in objects (and default RBAC policy) are ensured, the RBAC index has listed,
/// namespaces left Terminating resume their cleanup.
/// </summary>
public sealed class ApiServices : IAsyncDisposable
{
    private readonly NamespaceCleaner _cleaner;
    private readonly TimeProvider _time;

    public ApiServices(IStore store, ILoggerFactory loggerFactory, TimeProvider time, ServiceNetwork? network = null)
    {
        _time = time;
        Network = network ?? ServiceNetwork.Default;
        Registry = new ObjectRegistry(store, new ResourceStrategies(Network), time);
        WatchCache = new WatchCache(store, loggerFactory.CreateLogger("watch-cache"));
        _cleaner = new NamespaceCleaner(Registry, loggerFactory.CreateLogger("namespaces"));
        Resources = new ResourceEndpoint(Registry, WatchCache, time);
        Client = new InProcessClusterClient(Registry, WatchCache);
        Rbac = new RbacAuthorizer(Client, loggerFactory.CreateLogger("rbac"));
    }

    /// <summary>The API for the in-process control loops.</summary>
    public IClusterClient Client { get; }

    public ServiceNetwork Network { get; }

    /// <summary>The RBAC authorizer, current with the cluster's roles and bindings once started.</summary>
    public RbacAuthorizer Rbac { get; }

    public ObjectRegistry Registry { get; }

    public WatchCache WatchCache { get; }

    public ResourceEndpoint Resources { get; }

    /// <param name="advertiseAddress">The address the <c>default/kubernetes</c> endpoints point at.</param>
    public async Task StartAsync(string advertiseAddress, int port, CancellationToken cancellationToken)
    {
        await WatchCache.StartAsync(cancellationToken);
        await ClusterBootstrap.EnsureAsync(Registry, Network, advertiseAddress, port, cancellationToken);
        // Listed after the bootstrap policy is written, so it is in the index as soon as it is ready;
        // serving before that would 403 users RBAC allows.
        Rbac.Start();
        await Rbac.Ready.WaitAsync(cancellationToken);
        await _cleaner.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The request gate for this API: client certificates and service-account tokens (signed with
    /// <paramref name="serviceAccountKey"/>), the authorizer chain (system:masters, then the node
    /// authorizer, then RBAC), user-dependent admission, limits and the optional audit log.
    /// </summary>
    public ApiSecurity CreateSecurity(ECDsa serviceAccountKey, ApiLimits limits, AuditLog? audit)
    {
        var tokens = new ServiceAccountTokens(serviceAccountKey, _time);
        Resources.Tokens = tokens;
        var authorizer = new AuthorizerChain(new PrivilegedGroupAuthorizer(), new NodeAuthorizer(Registry), Rbac);
        Resources.Admission = new UserAdmissionChain(new NodeRestrictionAdmission(), new RbacEscalationAdmission(authorizer, Rbac));
        return new ApiSecurity
        {
            Authenticator = new RequestAuthenticator(tokens, Registry),
            Authorizer = authorizer,
            Reviews = new Reviews.ReviewEndpoint(authorizer, Rbac),
            RateLimiter = new ClientRateLimiter(limits.PerClient, _time),
            InFlight = new InFlightLimiter(limits.MaxRequestsInFlight),
            RequestTimeout = limits.RequestTimeout,
            Audit = audit,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _cleaner.DisposeAsync();
        await Rbac.DisposeAsync();
        await WatchCache.DisposeAsync();
    }
}
