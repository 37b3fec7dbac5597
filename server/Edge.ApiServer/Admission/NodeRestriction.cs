using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authentication;

namespace Edge.ApiServer.Admission;

/// <summary>
/// The body checks of upstream's NodeRestriction admission for writes by a node: it may create
/// only its own Node, never change its taints or the labels reserved to the control plane
/// afterwards, create only its own Lease, and create only mirror pods bound to itself that use no Secret, ConfigMap or
/// service account (a static pod must not become a way to read another pod's secrets).
/// </summary>
public static class NodeRestriction
{
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    /// <summary>Labels a node may not set on itself: they steer workloads onto "trusted" nodes.</summary>
    private const string RestrictedLabelPrefix = "node-restriction.kubernetes.io/";

    /// <summary>The admission step for a node's write to <paramref name="resource"/>, or null when nothing is to check.</summary>
    public static Func<JsonObject?, JsonObject, CancellationToken, ValueTask>? For(UserInfo user, ResourceType resource, string? subresource)
    {
        if (user.NodeName is not { } node || subresource is not null)
        {
            return null;
        }

        if (resource.Group == "coordination.k8s.io" && resource.Plural == "leases")
        {
            // The name of a created Lease is in the body; the authorizer saw only "create".
            return (_, updated, _) => updated.Name() == node
                ? ValueTask.CompletedTask
                : throw Forbidden($"node \"{node}\" may only use its own Lease, not \"{updated.Name()}\"");
        }

        return resource.Group == "" ? resource.Plural switch
        {
            "nodes" => (old, updated, _) =>
            {
                AdmitNode(node, old, updated);
                return ValueTask.CompletedTask;
            },
            "pods" => (old, updated, _) =>
            {
                if (old is null)
                {
                    AdmitMirrorPod(node, updated);
                }

                return ValueTask.CompletedTask;
            },
            _ => null,
        } : null;
    }

    private static void AdmitNode(string node, JsonObject? old, JsonObject updated)
    {
        if (updated.Name() != node)
        {
            throw Forbidden($"node \"{node}\" is not allowed to modify node \"{updated.Name()}\"");
        }

        var oldLabels = old?["metadata"]?["labels"] as JsonObject;
        var newLabels = updated["metadata"]?["labels"] as JsonObject;
        foreach (var key in Keys(oldLabels).Union(Keys(newLabels)))
        {
            if (key.StartsWith(RestrictedLabelPrefix, StringComparison.Ordinal)
                && ObjectFields.String(oldLabels, key) != ObjectFields.String(newLabels, key))
            {
                throw Forbidden($"is not allowed to modify labels: {key}");
            }
        }

        if (old is not null && !JsonNode.DeepEquals(old["spec"]?["taints"], updated["spec"]?["taints"]))
        {
            throw Forbidden($"node \"{node}\" is not allowed to modify taints");
        }
    }

    private static void AdmitMirrorPod(string node, JsonObject pod)
    {
        if (ObjectFields.String(pod["metadata"]?["annotations"], MirrorPodAnnotation) is null)
        {
            throw Forbidden("pod does not have \"kubernetes.io/config.mirror\" annotation, node \"" + node + "\" can only create mirror pods");
        }

        if (ObjectFields.PathText(pod, "spec.nodeName") != node)
        {
            throw Forbidden($"node \"{node}\" can only create pods with spec.nodeName set to itself");
        }

        if (pod["metadata"]?["ownerReferences"] is JsonArray owners
            && owners.Any(o => ObjectFields.String(o, "kind") != "Node" || ObjectFields.String(o, "name") != node))
        {
            throw Forbidden($"node \"{node}\" can only create pods with an owner reference set to itself");
        }

        if (ObjectFields.PathText(pod, "spec.serviceAccountName") is { Length: > 0 })
        {
            throw Forbidden($"node \"{node}\" can not create pods that reference a service account");
        }

        if (Authorization.PodReferences.Secrets(pod).Count > 0)
        {
            throw Forbidden($"node \"{node}\" can not create pods that reference secrets");
        }

        if (Authorization.PodReferences.ConfigMaps(pod).Count > 0)
        {
            throw Forbidden($"node \"{node}\" can not create pods that reference configmaps");
        }
    }

    private static IEnumerable<string> Keys(JsonObject? labels) => labels?.Select(p => p.Key) ?? [];

    private static ApiException Forbidden(string message) => new(Status.Failure(403, "Forbidden", message));
}
