using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Api.Resources;
using Edge.Api.Selectors;
using Edge.ApiServer.Registry;
using Edge.ApiServer.Requests;

namespace Edge.Server.NodeHub;

/// <summary>
/// Reads of a node's desired state at one store revision (the store keeps history until it is
/// compacted), so a view built from them and the watch events after that revision fit exactly.
/// Failures are the registry's <see cref="Api.Errors.ApiException"/>s (410 once compacted).
/// </summary>
public sealed class NodeStateReader(ObjectRegistry registry)
{
    /// <summary>The pods bound to <paramref name="node"/> at <paramref name="revision"/> (0: now) and the revision read.</summary>
    public async Task<(IReadOnlyList<JsonObject> Pods, long Revision)> PodsAsync(string node, long revision, CancellationToken cancellationToken)
    {
        var page = await registry.ListAsync(KnownResources.Pods, null, At(revision) with
        {
            Fields = FieldSelector.Parse("spec.nodeName=" + FieldSelector.Escape(node)),
        }, cancellationToken);
        return (page.Items, revision > 0 ? revision : page.Revision);
    }

    /// <summary>One object at <paramref name="revision"/>; null when it did not exist then.</summary>
    public async Task<JsonObject?> GetAsync(ResourceType resource, string? ns, string name, long revision, CancellationToken cancellationToken)
    {
        var page = await registry.ListAsync(resource, ns, At(revision) with
        {
            Fields = FieldSelector.Parse("metadata.name=" + FieldSelector.Escape(name)),
        }, cancellationToken);
        return page.Items.Count > 0 ? page.Items[0] : null;
    }

    private static ListOptions At(long revision) => revision > 0
        ? new ListOptions { ResourceVersion = revision.ToString(CultureInfo.InvariantCulture), ResourceVersionMatch = "Exact" }
        : new ListOptions();
}
