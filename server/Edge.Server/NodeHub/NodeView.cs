using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.ApiServer.Authorization;
using Edge.NodeChannel;
using Edge.NodeChannel.V1;

namespace Edge.Server.NodeHub;

/// <summary>Reads one object as it was at a store revision; null when it did not exist then.</summary>
public delegate Task<JsonObject?> ObjectAtRevision(ResourceType resource, string ns, string name, long revision, CancellationToken cancellationToken);

/// <summary>
/// What one node should know, kept current from the store's changes: the pods bound to it
/// (terminating ones too, until they are gone), the ConfigMaps and Secrets those pods reference
/// (volumes, projected sources, env, envFrom, image pull secrets — the same walk the node
/// authorizer uses, so the node receives exactly what it may read), and its pod CIDR. Each change
/// is recorded into a <see cref="DeltaBuilder"/>; the objects are shared read-only trees.
/// </summary>
public sealed class NodeView(string node, ObjectAtRevision fetch)
{
    public static readonly ResourceType ConfigMaps = ResourceCatalog.Find("", "v1", "configmaps")!;
    public static readonly ResourceType Secrets = ResourceCatalog.Find("", "v1", "secrets")!;

    /// <summary>The resources whose changes can touch a node's desired state.</summary>
    public static readonly ResourceType[] Watched = [KnownResources.Pods, ConfigMaps, Secrets, KnownResources.Nodes];

    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodReferenceSet> _podReferences = new(StringComparer.Ordinal);
    private readonly ReferencedObjects _configMaps = new(ConfigMaps);
    private readonly ReferencedObjects _secrets = new(Secrets);

    public string Node { get; } = node;

    /// <summary>The store revision the view reflects.</summary>
    public long Revision { get; private set; }

    public string PodCidr { get; private set; } = "";

    public IReadOnlyDictionary<string, JsonObject> Pods => _pods;

    public IReadOnlyDictionary<string, JsonObject> ConfigMapObjects => _configMaps.Objects;

    public IReadOnlyDictionary<string, JsonObject> SecretObjects => _secrets.Objects;

    /// <summary>Fills an empty view with the state at <paramref name="revision"/>: the node's pods (listed by the caller) and what they reference.</summary>
    public async Task LoadAsync(IEnumerable<JsonObject> pods, JsonObject? nodeObject, long revision, CancellationToken cancellationToken)
    {
        var ignored = new DeltaBuilder();
        foreach (var pod in pods)
        {
            await ApplyPodAsync(pod, null, revision, ignored, cancellationToken);
        }

        ApplyNode(nodeObject, ignored);
        Revision = revision;
    }

    /// <summary>Applies one change of a watched resource at <paramref name="revision"/>; earlier revisions than the view's are ignored.</summary>
    public async Task ApplyAsync(ResourceType resource, JsonObject? current, JsonObject? previous, long revision, DeltaBuilder delta, CancellationToken cancellationToken)
    {
        if (revision <= Revision)
        {
            return;
        }

        if (ReferenceEquals(resource, KnownResources.Pods))
        {
            await ApplyPodAsync(current, previous, revision, delta, cancellationToken);
        }
        else if (ReferenceEquals(resource, ConfigMaps))
        {
            _configMaps.Apply(current ?? previous, current, delta.ConfigMaps);
        }
        else if (ReferenceEquals(resource, Secrets))
        {
            _secrets.Apply(current ?? previous, current, delta.Secrets);
        }
        else if (ReferenceEquals(resource, KnownResources.Nodes) && (current ?? previous)?.Name() == Node)
        {
            ApplyNode(current, delta);
        }

        Revision = revision;
    }

    /// <summary>Moves the view to a revision whose changes did not concern this node.</summary>
    public void AdvanceTo(long revision) => Revision = Math.Max(Revision, revision);

    public DesiredSnapshot ToSnapshot()
    {
        var snapshot = new DesiredSnapshot { Revision = Revision, PodCidr = PodCidr };
        snapshot.Pods.AddRange(_pods.Values.Select(ObjectJson.Encode));
        snapshot.ConfigMaps.AddRange(_configMaps.Objects.Values.Select(ObjectJson.Encode));
        snapshot.Secrets.AddRange(_secrets.Objects.Values.Select(ObjectJson.Encode));
        return snapshot;
    }

    private async Task ApplyPodAsync(JsonObject? current, JsonObject? previous, long revision, DeltaBuilder delta, CancellationToken cancellationToken)
    {
        var uid = (current ?? previous)?.Uid() ?? "";
        if (current is not null && ObjectFields.PathText(current, "spec.nodeName") == Node)
        {
            _pods[uid] = current;
            delta.Pods.Upsert(uid, current);
            var ns = current.Namespace() ?? "";
            var references = new PodReferenceSet(
                [.. PodReferences.ConfigMaps(current).Select(n => ObjectJson.Key(ns, n))],
                [.. PodReferences.Secrets(current).Select(n => ObjectJson.Key(ns, n))]);
            var before = _podReferences.GetValueOrDefault(uid) ?? PodReferenceSet.None;
            _podReferences[uid] = references;
            await _configMaps.ReferenceAsync(references.ConfigMaps, before.ConfigMaps, fetch, revision, delta.ConfigMaps, cancellationToken);
            await _secrets.ReferenceAsync(references.Secrets, before.Secrets, fetch, revision, delta.Secrets, cancellationToken);
        }
        else if (_pods.Remove(uid, out var gone))
        {
            // Deleted, or (never for a real pod: spec.nodeName is immutable once set) moved away.
            delta.Pods.Remove(uid, gone);
            if (_podReferences.Remove(uid, out var before))
            {
                await _configMaps.ReferenceAsync([], before.ConfigMaps, fetch, revision, delta.ConfigMaps, cancellationToken);
                await _secrets.ReferenceAsync([], before.Secrets, fetch, revision, delta.Secrets, cancellationToken);
            }
        }
    }

    private void ApplyNode(JsonObject? nodeObject, DeltaBuilder delta)
    {
        var cidr = ObjectFields.PathText(nodeObject, "spec.podCIDR") ?? "";
        if (cidr != PodCidr)
        {
            PodCidr = cidr;
            delta.PodCidr = cidr;
        }
    }

    private sealed record PodReferenceSet(HashSet<string> ConfigMaps, HashSet<string> Secrets)
    {
        public static readonly PodReferenceSet None = new([], []);
    }
}
