using System.Text.Json.Nodes;
using Edge.Api.Resources;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Nodes: a node registers itself with its status (capacity, addresses, conditions) in the create,
/// as the kubelet does, so unlike most kinds the status of a create is kept (upstream
/// <c>nodeStrategy.PrepareForCreate</c> clears only the config source).
/// </summary>
public sealed class NodeStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public override void PrepareForCreate(JsonObject obj)
    {
    }
}
