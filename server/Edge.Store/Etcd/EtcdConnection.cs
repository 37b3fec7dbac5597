using System.Net.Http;
using System.Security.Authentication;
using Edge.Store.Etcd.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Edge.Store.Etcd;

/// <summary>The clients of one etcd member, over its own channel.</summary>
internal sealed class EtcdEndpoint(Uri address, GrpcChannel channel) : IDisposable
{
    public Uri Address { get; } = address;

    public KV.KVClient Kv { get; } = new(channel);

    public Watch.WatchClient Watch { get; } = new(channel);

    public Rpc.Lease.LeaseClient Lease { get; } = new(channel);

    public Maintenance.MaintenanceClient Maintenance { get; } = new(channel);

    public void Dispose() => channel.Dispose();
}

/// <summary>
/// One gRPC channel per configured member, and failover: a call goes to the member that answered
/// last, and on to the next one when that member is unavailable.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    private readonly EtcdEndpoint[] _endpoints;
    private readonly bool _httpsWithoutClientCertificate;
    private int _preferred;

    public EtcdConnection(EtcdStoreOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new StoreException("invalid etcd options: " + string.Join("; ", errors));
        }

        _endpoints = options.Endpoints.Select(e => CreateEndpoint(new Uri(e), options)).ToArray();
        _httpsWithoutClientCertificate = options.CertFile is null && _endpoints.Any(e => e.Address.Scheme == Uri.UriSchemeHttps);
    }

    public string Describe() => string.Join(", ", _endpoints.Select(e => e.Address.ToString().TrimEnd('/')));

    /// <summary>
    /// Runs <paramref name="call"/> on the preferred member, then on the others while they cannot
    /// be reached. A call that may have reached etcd moves on only if it is
    /// <paramref name="idempotent"/>, so a write is never applied twice. A failure to reach etcd
    /// becomes a <see cref="StoreException"/> naming each member tried; errors etcd itself
    /// answered with are left for the caller to translate.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<EtcdEndpoint, CancellationToken, Task<T>> call, bool idempotent, CancellationToken cancellationToken)
    {
        var start = Volatile.Read(ref _preferred);
        var failures = new List<string>();
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var index = (start + i) % _endpoints.Length;
            var endpoint = _endpoints[index];
            try
            {
                var result = await call(endpoint, cancellationToken);
                Volatile.Write(ref _preferred, index);
                return result;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the etcd call was canceled", e, cancellationToken);
            }
            catch (RpcException e) when (e.Status.DebugException is not null || e.StatusCode == StatusCode.Unavailable)
            {
                failures.Add($"{endpoint.Address.ToString().TrimEnd('/')}: {EtcdErrors.Describe(e)}");
                if (!NeverSent(e) && !(idempotent && e.StatusCode == StatusCode.Unavailable))
                {
                    throw new StoreException(Unreachable(failures), e);
                }
            }
        }

        throw new StoreException(Unreachable(failures));
    }

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    private string Unreachable(List<string> failures)
    {
        var message = $"cannot reach etcd at {string.Join("; ", failures)}";

        // etcd with --client-cert-auth closes a TLS connection without a certificate only after the
        // handshake, and the client sees just a broken connection; say what the likely cause is.
        return _httpsWithoutClientCertificate
            ? message + " (no client certificate is configured; an etcd with --client-cert-auth drops connections without one)"
            : message;
    }

    // The connection (TCP, TLS or name lookup) failed, so the request never left this process.
    private static bool NeverSent(RpcException e)
    {
        if (e.Status.Detail.StartsWith("Error connecting to subchannel", StringComparison.Ordinal))
        {
            return true;
        }

        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException
                || inner is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }

    private static EtcdEndpoint CreateEndpoint(Uri address, EtcdStoreOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.DialTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // Pings find a dead member under a long watch. Only while calls are active: etcd's
            // gRPC server closes connections that ping when idle (too_many_pings).
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        if (address.Scheme == Uri.UriSchemeHttps)
        {
            EtcdTls.Configure(handler.SslOptions, options);
        }

        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            // etcd's own client sets no receive limit: a range may legitimately return many large values.
            MaxReceiveMessageSize = null,

            // Not ThrowOperationCanceledOnCancellation: with it, a streaming call whose connection
            // failed throws a bare cancellation too, indistinguishable from the caller's. Our own
            // cancellation is turned into OperationCanceledException where calls are made.
        });
        return new EtcdEndpoint(address, channel);
    }
}
