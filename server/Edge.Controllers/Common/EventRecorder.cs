using System.Text.Json.Nodes;
using Edge.Api.Clients;
using Edge.Api.Objects;
using Edge.Api.Resources;
using Microsoft.Extensions.Logging;

namespace Edge.Controllers.Common;

/// <summary>
/// Writes core/v1 Events about objects, as upstream's event recorder: what <c>kubectl describe</c>
/// shows under Events. Best effort: a failed event is logged, never fails the reconcile.
/// </summary>
public sealed partial class EventRecorder(IClusterClient client, string component, ILogger logger, TimeProvider time)
{
    public void Normal(JsonObject obj, ResourceType resource, string reason, string message) => Record(obj, resource, "Normal", reason, message);

    public void Warning(JsonObject obj, ResourceType resource, string reason, string message) => Record(obj, resource, "Warning", reason, message);

    private void Record(JsonObject obj, ResourceType resource, string type, string reason, string message)
    {
        var now = time.GetUtcNow();
        var ns = obj.Namespace() is { Length: > 0 } n ? n : "default";
        var name = $"{obj.Name()}.{now.ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000):x}";
        var stamp = ObjectFields.Timestamp(now);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = resource.ApiVersion,
                ["kind"] = resource.Kind,
                ["name"] = obj.Name(),
                ["namespace"] = obj.Namespace(),
                ["uid"] = obj.Uid(),
                ["resourceVersion"] = obj.ResourceVersion(),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["source"] = new JsonObject { ["component"] = component },
            ["reportingComponent"] = component,
            ["firstTimestamp"] = stamp,
            ["lastTimestamp"] = stamp,
            ["eventTime"] = null,
            ["count"] = 1,
        };
        _ = WriteAsync(ns, ev, reason);
    }

    private async Task WriteAsync(string ns, JsonObject ev, string reason)
    {
        try
        {
            await client.CreateAsync(KnownResources.Events, ns, ev, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            EventLog.Failed(logger, reason, e.Message);
        }
    }

    private static partial class EventLog
    {
        [LoggerMessage(1, LogLevel.Debug, "Could not record event {Reason}: {Message}")]
        public static partial void Failed(ILogger logger, string reason, string message);
    }
}
