using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Controllers.Common;
using Edge.Controllers.Informers;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.ServiceAccounts;

/// <summary>
/// Gives every active namespace its <c>default</c> ServiceAccount, the one pods run as when they
/// name none, and brings it back when it is deleted (upstream <c>serviceaccounts_controller</c>).
/// A namespace being deleted gets none. Tokens are not this loop's business.
/// </summary>
public sealed class ServiceAccountController : Controller
{
    public const string DefaultName = "default";

    private static readonly ResourceType ServiceAccounts = KnownResources.ServiceAccounts;

    private readonly IClusterClient _client;
    private readonly Informer _namespaces;
    private readonly Informer _accounts;

    public ServiceAccountController(InformerSet informers, ILoggerFactory loggers, TimeProvider time)
        : base("serviceaccount-controller", loggers.CreateLogger("serviceaccount-controller"), time)
    {
        _client = informers.Client;
        _namespaces = informers.For(KnownResources.Namespaces);
        _accounts = informers.For(ServiceAccounts);
        _namespaces.AddHandler(new InformerHandler(
            added: n => Enqueue(n.Name()!),
            updated: (_, n) => Enqueue(n.Name()!)));
        _accounts.AddHandler(new InformerHandler(deleted: sa =>
        {
            if (sa.Name() == DefaultName)
            {
                Enqueue(sa.Namespace()!);
            }
        }));
    }

    protected override async Task ReconcileAsync(string ns, CancellationToken cancellationToken)
    {
        if (!NamespaceState.IsActive(_namespaces.Get(null, ns)) || _accounts.Get(ns, DefaultName) is not null)
        {
            return;
        }

        var account = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = DefaultName, ["namespace"] = ns },
        };
        try
        {
            await _client.CreateAsync(ServiceAccounts, ns, account, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code is 409 or 403 or 404)
        {
            // 409: there already (the cache lags); 403/404: the namespace is going or gone.
        }
    }
}
