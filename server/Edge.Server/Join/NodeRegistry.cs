using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Errors;
using Edge.Api.Meta;
using Edge.Api.Objects;
using Edge.Api.Resources;

namespace Edge.Server.Join;

/// <summary>
/// A node's identity in the cluster is its Node object plus the hash of the key it joined with
/// (<see cref="KeyAnnotation"/>). A second device asking for a taken name with another key is
/// refused until the operator deletes the old Node; the same key joining again is a no-op.
/// </summary>
public sealed class NodeRegistry(IClusterClient client, TimeProvider time)
{
    public const string KeyAnnotation = "edge.io/node-key-sha256";

    /// <summary>
    /// The key before the last renewal. A node that crashed after the server renewed it but
    /// before it stored the new certificate still holds the old one; this lets it renew again.
    /// </summary>
    public const string PreviousKeyAnnotation = "edge.io/node-key-sha256-previous";

    private static readonly ResourceType Nodes = KnownResources.Nodes;

    /// <summary>Creates the Node when missing; 409 when the name belongs to another key.</summary>
    public async Task RegisterAsync(string name, string keyHash, IReadOnlyDictionary<string, string> labels, IReadOnlyList<JsonObject> taints, CancellationToken cancellationToken)
    {
        var existing = await TryGetAsync(name, cancellationToken);
        if (existing is null)
        {
            try
            {
                await client.CreateAsync(Nodes, null, NewNode(name, keyHash, labels, taints), cancellationToken);
                return;
            }
            catch (ApiException e) when (e.Status.Code == 409)
            {
                // Another join of the same name won the race: judge against what it created.
                existing = await TryGetAsync(name, cancellationToken);
                if (existing is null)
                {
                    throw;
                }
            }
        }

        var registered = Annotation(existing, KeyAnnotation);
        if (registered != keyHash)
        {
            throw new ApiException(Status.Failure(409, "AlreadyExists", registered is null
                ? $"node {name} already exists and was not registered by a join; delete it first (kubectl delete node {name})"
                : $"node {name} is already registered with a different key; delete it first (kubectl delete node {name})"));
        }
    }

    /// <summary>Records a renewed key; 403 when the node was deleted or the presented key is not one it holds.</summary>
    public async Task RotateKeyAsync(string name, string presentedKeyHash, string newKeyHash, CancellationToken cancellationToken)
    {
        var node = await TryGetAsync(name, cancellationToken)
            ?? throw Forbidden($"node {name} is no longer registered (was it deleted?); join it again with a token");
        var current = Annotation(node, KeyAnnotation);
        if (presentedKeyHash != current && presentedKeyHash != Annotation(node, PreviousKeyAnnotation))
        {
            throw Forbidden($"node {name} is registered with a different key now; this certificate can no longer be renewed, join again with a token");
        }

        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                // Pinned to what was checked: a concurrent re-registration makes this a 409, not a silent overwrite.
                ["resourceVersion"] = node.ResourceVersion(),
                ["annotations"] = new JsonObject
                {
                    [KeyAnnotation] = newKeyHash,
                    [PreviousKeyAnnotation] = presentedKeyHash,
                },
            },
        };
        await client.MergePatchAsync(Nodes, null, name, patch, null, cancellationToken);
    }

    /// <summary>The node's <c>spec.podCIDR</c> once the IPAM controller set it, or empty after <paramref name="patience"/>.</summary>
    public async Task<string> WaitForPodCidrAsync(string name, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + patience;
        while (true)
        {
            var node = await TryGetAsync(name, cancellationToken);
            if (ObjectFields.String(node?["spec"], "podCIDR") is { Length: > 0 } cidr)
            {
                return cidr;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return "";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    /// <summary>Parses <c>key[=value]:Effect</c>; null when malformed.</summary>
    public static JsonObject? ParseTaint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            return null;
        }

        var effect = text[(colon + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            return null;
        }

        var keyValue = text[..colon];
        var equals = keyValue.IndexOf('=');
        var taint = new JsonObject { ["key"] = equals < 0 ? keyValue : keyValue[..equals] };
        if (equals >= 0)
        {
            taint["value"] = keyValue[(equals + 1)..];
        }

        taint["effect"] = effect;
        return taint;
    }

    private static JsonObject NewNode(string name, string keyHash, IReadOnlyDictionary<string, string> labels, IReadOnlyList<JsonObject> taints)
    {
        var labelObject = new JsonObject
        {
            ["kubernetes.io/hostname"] = name,
            ["kubernetes.io/os"] = "linux",
        };
        foreach (var (key, value) in labels)
        {
            labelObject[key] = value;
        }

        var spec = new JsonObject();
        if (taints.Count > 0)
        {
            spec["taints"] = new JsonArray(taints.Select(t => (JsonNode)t.DeepClone()).ToArray());
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labelObject,
                ["annotations"] = new JsonObject { [KeyAnnotation] = keyHash },
            },
            ["spec"] = spec,
        };
    }

    private async Task<JsonObject?> TryGetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetAsync(Nodes, null, name, cancellationToken);
        }
        catch (ApiException e) when (e.Status.Code == 404)
        {
            return null;
        }
    }

    private static string? Annotation(JsonObject node, string key) => ObjectFields.String(node["metadata"]?["annotations"], key);

    private static ApiException Forbidden(string message) => new(Status.Failure(403, "Forbidden", message));
}
