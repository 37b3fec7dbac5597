using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;

namespace Edge.ApiServer.Authorization;

/// <summary>
/// What a node (<c>system:node:&lt;name&gt;</c> in <c>system:nodes</c>) may do, as upstream's node
/// authorizer: read the cluster's shape (nodes, pods, services, endpoints), write only its own
/// Node, Lease and the status of pods bound to it, send events, and read a Secret, ConfigMap or
/// ServiceAccount only while a pod bound to it uses that object. A stolen device therefore sees
/// the secrets of its own pods and nothing else. The checks that need the request body (a node
/// creating a Node or a mirror pod) are <see cref="NodeRestriction"/>'s.
/// Requests of anyone but a node, and node requests outside these rules, get no opinion (RBAC decides).
/// </summary>
public sealed class NodeAuthorizer(ObjectRegistry registry) : IAuthorizer
{
    private static readonly HashSet<string> ReadVerbs = ["get", "list", "watch"];
    private static readonly HashSet<string> WriteOwnVerbs = ["get", "create", "update", "patch", "delete"];

    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes a, CancellationToken cancellationToken)
    {
        if (a.User.NodeName is not { } node || !a.IsResourceRequest)
        {
            return AuthorizationResult.NoOpinion;
        }

        var verb = a.Verb;
        switch (a.ApiGroup, a.Resource, a.Subresource)
        {
            case ("", "nodes", ""):
                if (ReadVerbs.Contains(verb) || verb == "create")
                {
                    // The name of a created Node is in the body: NodeRestriction checks it.
                    return Allow();
                }

                return verb is "update" or "patch" or "delete" && a.Name == node ? Allow() : Refuse(node, "a node may change only its own Node object");

            case ("", "nodes", "status"):
                return verb is "get" or "update" or "patch" && a.Name == node ? Allow() : Refuse(node, "a node may change only its own Node status");

            case ("coordination.k8s.io", "leases", ""):
                return a.Namespace == "kube-node-lease" && (a.Name == node || (verb == "create" && a.Name.Length == 0)) && WriteOwnVerbs.Contains(verb)
                    ? Allow()
                    : Refuse(node, "a node may use only its own Lease in kube-node-lease");

            case ("", "pods", ""):
                if (ReadVerbs.Contains(verb) || verb == "create")
                {
                    // Creates are mirror pods of static pods: NodeRestriction checks them.
                    return Allow();
                }

                return verb == "delete" && await IsPodOnNodeAsync(a.Namespace, a.Name, node, cancellationToken)
                    ? Allow()
                    : Refuse(node, "a node may delete only pods bound to it");

            case ("", "pods", "status"):
                return verb is "get" or "update" or "patch" && await IsPodOnNodeAsync(a.Namespace, a.Name, node, cancellationToken)
                    ? Allow()
                    : Refuse(node, "a node may update the status of pods bound to it only");

            case ("", "pods", "eviction"):
                return verb == "create" && await IsPodOnNodeAsync(a.Namespace, a.Name, node, cancellationToken)
                    ? Allow()
                    : Refuse(node, "a node may evict only pods bound to it");

            case ("", "events", "") or ("events.k8s.io", "events", ""):
                return verb is "create" or "update" or "patch" ? Allow() : AuthorizationResult.NoOpinion;

            case ("", "services", "") or ("", "endpoints", "") or ("discovery.k8s.io", "endpointslices", ""):
                return ReadVerbs.Contains(verb) ? Allow() : AuthorizationResult.NoOpinion;

            case ("", "secrets", "") or ("", "configmaps", "") or ("", "serviceaccounts", ""):
                return ReadVerbs.Contains(verb) && a.Name.Length > 0 && await IsUsedOnNodeAsync(a.Resource, a.Namespace, a.Name, node, cancellationToken)
                    ? Allow()
                    : Refuse(node, $"no relationship found between node '{node}' and this object");

            case ("", "serviceaccounts", "token"):
                // The token's bound pod is checked when the token is issued.
                return verb == "create" && await IsUsedOnNodeAsync("serviceaccounts", a.Namespace, a.Name, node, cancellationToken)
                    ? Allow()
                    : Refuse(node, $"no relationship found between node '{node}' and this object");

            default:
                return AuthorizationResult.NoOpinion;
        }
    }

    /// <summary>True when pod <paramref name="ns"/>/<paramref name="name"/> exists and is bound to <paramref name="node"/>.</summary>
    public async ValueTask<bool> IsPodOnNodeAsync(string ns, string name, string node, CancellationToken cancellationToken)
    {
        if (ns.Length == 0 || name.Length == 0)
        {
            return false;
        }

        try
        {
            var pod = await registry.GetAsync(KnownResources.Pods, ns, name, cancellationToken);
            return ObjectFields.PathText(pod, "spec.nodeName") == node;
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return false;
        }
    }

    private async ValueTask<bool> IsUsedOnNodeAsync(string resource, string ns, string name, string node, CancellationToken cancellationToken)
    {
        if (ns.Length == 0)
        {
            return false;
        }

        var page = await registry.ListAsync(KnownResources.Pods, ns, new ListOptions
        {
            Fields = FieldSelector.Parse("spec.nodeName=" + FieldSelector.Escape(node)),
        }, cancellationToken);
        return page.Items.Any(pod => PodReferences.Uses(pod, resource, name));
    }

    private static AuthorizationResult Allow() => AuthorizationResult.Allow();

    /// <summary>No opinion with a reason: RBAC may still allow (an operator's own binding), else the reason is shown.</summary>
    private static AuthorizationResult Refuse(string node, string reason) => new(AuthorizationDecision.NoOpinion, $"node '{node}': {reason}");
}

/// <summary>The Secrets, ConfigMaps and ServiceAccount a pod spec names.</summary>
public static class PodReferences
{
    public static bool Uses(JsonObject pod, string resource, string name) => resource switch
    {
        "secrets" => Secrets(pod).Contains(name),
        "configmaps" => ConfigMaps(pod).Contains(name),
        "serviceaccounts" => (ObjectFields.PathText(pod, "spec.serviceAccountName") ?? "default") == name,
        _ => false,
    };

    public static HashSet<string> Secrets(JsonObject pod)
    {
        var names = Names(pod, SecretFields);
        foreach (var reference in Array(pod["spec"]?["imagePullSecrets"]))
        {
            Add(names, reference?["name"]);
        }

        return names;
    }

    public static HashSet<string> ConfigMaps(JsonObject pod) => Names(pod, ConfigMapFields);

    /// <summary>Where a pod spec names objects of one kind: volume source, projected source, env key ref, envFrom ref.</summary>
    private sealed record ReferenceFields(string Volume, string VolumeName, string Projected, string EnvKeyRef, string EnvFromRef);

    private static readonly ReferenceFields SecretFields = new("secret", "secretName", "secret", "secretKeyRef", "secretRef");
    private static readonly ReferenceFields ConfigMapFields = new("configMap", "name", "configMap", "configMapKeyRef", "configMapRef");

    private static HashSet<string> Names(JsonObject pod, ReferenceFields fields)
    {
        var names = new HashSet<string>();
        var spec = pod["spec"] as JsonObject;
        foreach (var volume in Array(spec?["volumes"]))
        {
            Add(names, volume?[fields.Volume]?[fields.VolumeName]);
            foreach (var source in Array(volume?["projected"]?["sources"]))
            {
                Add(names, source?[fields.Projected]?["name"]);
            }
        }

        foreach (var container in Containers(spec))
        {
            foreach (var env in Array(container?["env"]))
            {
                Add(names, env?["valueFrom"]?[fields.EnvKeyRef]?["name"]);
            }

            foreach (var from in Array(container?["envFrom"]))
            {
                Add(names, from?[fields.EnvFromRef]?["name"]);
            }
        }

        return names;
    }

    private static IEnumerable<JsonNode?> Containers(JsonObject? spec) =>
        Array(spec?["initContainers"]).Concat(Array(spec?["containers"])).Concat(Array(spec?["ephemeralContainers"]));

    private static IEnumerable<JsonNode?> Array(JsonNode? node) => node as JsonArray ?? [];

    private static void Add(HashSet<string> names, JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0)
        {
            names.Add(s);
        }
    }
}
