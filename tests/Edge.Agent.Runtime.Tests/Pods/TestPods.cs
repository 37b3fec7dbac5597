using System.Text.Json.Nodes;

namespace Edge.Agent.Runtime.Tests.Pods;

/// <summary>Pod objects as the API server would send them (defaults applied, bound to the node).</summary>
internal static class TestPods
{
    public static JsonObject Pod(string name, JsonObject container, Action<JsonObject>? spec = null)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = "default",
                ["uid"] = Guid.NewGuid().ToString(),
                ["labels"] = new JsonObject { ["app"] = name },
            },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = "node-a",
                ["restartPolicy"] = "Always",
                ["terminationGracePeriodSeconds"] = 5,
                ["containers"] = new JsonArray(container),
            },
            ["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" },
        };
        spec?.Invoke(pod["spec"]!.AsObject());
        return pod;
    }

    public static JsonObject Container(string name, params string[] command)
    {
        var container = new JsonObject
        {
            ["name"] = name,
            ["image"] = Edge.E2E.Tests.Infrastructure.TestImages.BusyboxReference,
            ["imagePullPolicy"] = "IfNotPresent",
        };
        if (command.Length > 0)
        {
            container["command"] = new JsonArray(command.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        }

        return container;
    }

    public static string Uid(JsonObject pod) => pod["metadata"]!["uid"]!.GetValue<string>();

    /// <summary>The same pod marked for deletion, as the API server does on a graceful delete.</summary>
    public static JsonObject Terminating(JsonObject pod, long graceSeconds)
    {
        var copy = pod.DeepClone().AsObject();
        copy["metadata"]!["deletionTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
        copy["metadata"]!["deletionGracePeriodSeconds"] = graceSeconds;
        return copy;
    }

    public static string Phase(JsonObject status) => status["phase"]?.GetValue<string>() ?? "";

    public static JsonObject? ContainerStatus(JsonObject status, string name) =>
        (status["containerStatuses"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["name"]?.GetValue<string>() == name);

    public static string? WaitingReason(JsonObject status, string name) =>
        ContainerStatus(status, name)?["state"]?["waiting"]?["reason"]?.GetValue<string>();
}
