using System.Text.Json.Nodes;
using Edge.Api.Errors;
using Edge.Api.Objects;

namespace Edge.ApiServer.Logs;

/// <summary>
/// Kubelet's check before it opens a log (<c>validateContainerLogStatus</c>), from the status the
/// node last reported: a container still waiting has no log to show, and says why in upstream's words.
/// </summary>
public static class ContainerLogState
{
    /// <summary>Throws upstream's 400 when the status says the container never ran; passes when the node should have a log (or the status is not known yet).</summary>
    public static void EnsureStarted(JsonObject pod, string container, bool previous)
    {
        var status = FindStatus(pod["status"], container);
        if (previous || status is null)
        {
            // "previous" is the node's call (it knows the files); no status yet means the node is faster than its report.
            return;
        }

        var state = status["state"];
        if (state?["running"] is not null || state?["terminated"] is not null || status["lastState"]?["terminated"] is not null)
        {
            return;
        }

        if (state?["waiting"] is { } waiting)
        {
            var reason = ObjectFields.String(waiting, "reason") ?? "";
            throw ApiException.BadRequest(reason switch
            {
                "ErrImagePull" => $"container \"{container}\" in pod \"{pod.Name()}\" is waiting to start: image can't be pulled",
                "ImagePullBackOff" => $"container \"{container}\" in pod \"{pod.Name()}\" is waiting to start: trying and failing to pull image",
                _ => $"container \"{container}\" in pod \"{pod.Name()}\" is waiting to start: {reason}",
            });
        }
    }

    private static JsonNode? FindStatus(JsonNode? status, string container) =>
        new[] { "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses" }
            .SelectMany(field => status?[field] as JsonArray ?? [])
            .FirstOrDefault(s => ObjectFields.String(s, "name") == container);
}
