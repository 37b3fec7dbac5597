using System.Text.Json.Nodes;
using Edge.Api.Resources;

namespace Edge.ApiServer.Admission;

/// <summary>Namespaces start Active with the <c>kubernetes</c> finalizer that content deletion removes.</summary>
public sealed class NamespaceStrategy(ResourceType resource) : ResourceStrategy(resource)
{
    public override bool TracksGeneration => false;

    protected override bool NameIsLabel => true;

    public override bool HoldsDeletion(JsonObject obj) => obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        obj["status"] = new JsonObject { ["phase"] = "Active" };
        var labels = obj["metadata"]!["labels"] as JsonObject ?? new JsonObject();
        // Upstream labels every namespace with its own name (NamespaceDefaultLabelName).
        labels["kubernetes.io/metadata.name"] = obj["metadata"]!["name"]?.DeepClone();
        obj["metadata"]!["labels"] = labels;
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        obj["spec"] = old["spec"]?.DeepClone();
        var labels = obj["metadata"]!["labels"] as JsonObject ?? new JsonObject();
        labels["kubernetes.io/metadata.name"] = obj["metadata"]!["name"]?.DeepClone();
        obj["metadata"]!["labels"] = labels;
    }
}
