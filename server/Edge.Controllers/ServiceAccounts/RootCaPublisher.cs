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
/// Keeps the cluster CA in every active namespace as the ConfigMap <c>kube-root-ca.crt</c>
/// (upstream's root-ca-cert-publisher). A pod's kube-api-access volume projects its
/// <c>ca.crt</c> (upstream's ServiceAccount admission gives every pod one, so every pod spec taken
/// from another cluster carries it), and in-cluster clients verify the API server with it. A
/// deleted or edited copy is put back.
/// </summary>
public sealed class RootCaPublisher : Controller
{
    private const string DescriptionAnnotation = "kubernetes.io/description";

    /// <summary>Upstream's wording, which tools show in <c>kubectl describe</c>.</summary>
    private const string Description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
        "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private static readonly ResourceType ConfigMaps = KnownResources.ConfigMaps;

    private readonly IClusterClient _client;
    private readonly Informer _namespaces;
    private readonly Informer _configMaps;
    private readonly string _bundle;

    /// <param name="bundle">The PEM of the cluster CA (what <c>ca.crt</c> holds).</param>
    public RootCaPublisher(InformerSet informers, string bundle, ILoggerFactory loggers, TimeProvider time)
        : base("root-ca-cert-publisher", loggers.CreateLogger("root-ca-cert-publisher"), time)
    {
        _client = informers.Client;
        _bundle = bundle;
        _namespaces = informers.For(KnownResources.Namespaces);
        _configMaps = informers.For(ConfigMaps);
        _namespaces.AddHandler(new InformerHandler(
            added: n => Enqueue(n.Name()!),
            updated: (_, n) => Enqueue(n.Name()!)));
        _configMaps.AddHandler(new InformerHandler(
            updated: (_, c) => EnqueueIfOurs(c),
            deleted: EnqueueIfOurs));
    }

    private void EnqueueIfOurs(JsonObject configMap)
    {
        if (configMap.Name() == RootCaConfigMap.Name)
        {
            Enqueue(configMap.Namespace()!);
        }
    }

    protected override async Task ReconcileAsync(string ns, CancellationToken cancellationToken)
    {
        if (!NamespaceState.IsActive(_namespaces.Get(null, ns)))
        {
            return;
        }

        var existing = _configMaps.Get(ns, RootCaConfigMap.Name);
        if (existing is null)
        {
            try
            {
                await _client.CreateAsync(ConfigMaps, ns, new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = RootCaConfigMap.Name,
                        ["namespace"] = ns,
                        ["annotations"] = new JsonObject { [DescriptionAnnotation] = Description },
                    },
                    ["data"] = new JsonObject { [RootCaConfigMap.Key] = _bundle },
                }, cancellationToken);
            }
            catch (ApiException e) when (e.Status.Code is 409 or 403 or 404)
            {
                // 409: there already (the cache lags); 403/404: the namespace is going or gone.
            }

            return;
        }

        if (IsCurrent(existing))
        {
            return;
        }

        // Exactly the bundle, as upstream: extra keys and binaryData go, the annotation comes back.
        existing["data"] = new JsonObject { [RootCaConfigMap.Key] = _bundle };
        existing.Remove("binaryData");
        var metadata = existing.Metadata();
        if (metadata["annotations"] is not JsonObject annotations)
        {
            metadata["annotations"] = annotations = [];
        }

        annotations[DescriptionAnnotation] = Description;
        await _client.UpdateAsync(ConfigMaps, existing, null, cancellationToken);
    }

    private bool IsCurrent(JsonObject configMap) =>
        configMap["data"] is JsonObject data && data.Count == 1 && ObjectFields.String(data, RootCaConfigMap.Key) == _bundle &&
        configMap["binaryData"] is null &&
        !string.IsNullOrEmpty(ObjectFields.String(configMap.Metadata()["annotations"], DescriptionAnnotation));
}
