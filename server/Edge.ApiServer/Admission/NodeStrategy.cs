using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;
using Edge.Api.Resources;

namespace Edge.ApiServer.Admission;

/// <summary>
/// Nodes: a node registers itself with its status (capacity, addresses, conditions) in the create,
/// as the kubelet does, so unlike most kinds the status of a create is kept (upstream
/// <c>nodeStrategy.PrepareForCreate</c> clears only the config source). A node's pod CIDR, once
/// set, is fixed: its pods and routes hold addresses from it (upstream <c>ValidateNodeUpdate</c>).
/// </summary>
public sealed class NodeStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    private const string PodCidrChange = "node updates may not change podCIDR except from \"\" to valid";

    public override void PrepareForCreate(JsonObject obj)
    {
    }

    public override void Validate(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        base.Validate(obj, old, errors);
        if (old is null)
        {
            return;
        }

        if (ObjectFields.String(old["spec"], "podCIDR") is { Length: > 0 } oldCidr && ObjectFields.String(obj["spec"], "podCIDR") != oldCidr)
        {
            errors.Add(FieldError.Forbidden("spec.podCIDR", PodCidrChange));
        }

        if (old["spec"]?["podCIDRs"] is JsonArray { Count: > 0 } oldCidrs && !JsonNode.DeepEquals(obj["spec"]?["podCIDRs"], oldCidrs))
        {
            errors.Add(FieldError.Forbidden("spec.podCIDRs", PodCidrChange));
        }
    }
}
