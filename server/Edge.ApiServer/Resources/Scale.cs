using System.Text.Json.Nodes;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Edge.Api.Selectors;

namespace Edge.ApiServer.Resources;

/// <summary>The autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet.</summary>
internal static class Scale
{
    public static JsonObject From(ResourceType resource, JsonObject obj)
    {
        var metadata = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (obj["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        string selector;
        try
        {
            selector = LabelSelector.FromObject(obj["spec"]?["selector"] as JsonObject).ToString();
        }
        catch (SelectorException)
        {
            selector = "";
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = ObjectFields.Long(obj["spec"], "replicas") ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = ObjectFields.Long(obj["status"], "replicas") ?? 0,
                ["selector"] = selector,
            },
        };
    }
}
